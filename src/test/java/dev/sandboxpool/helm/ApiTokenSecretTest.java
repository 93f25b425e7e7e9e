package dev.sandboxpool.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API token. Keeping it across upgrades ({@code lookup} under {@code .Release.IsUpgrade}) needs a live API
 * server, which helm template has not; these tests cover what a first install renders.
 */
class ApiTokenSecretTest {
    private static String token(List<HasMetadata> objects) {
        Secret secret = HelmChart.single(objects, Secret.class);
        assertThat(secret.getMetadata().getName()).isEqualTo("sandbox-pool-api-token");
        return new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
    }

    @Test
    void firstInstallGeneratesALongRandomToken() {
        String one = token(HelmChart.withDefaults().render());
        String two = token(HelmChart.withDefaults().render());

        assertThat(one).matches("[A-Za-z0-9]{48}");
        assertThat(two).matches("[A-Za-z0-9]{48}").isNotEqualTo(one);
    }

    @Test
    void anExistingSecretIsUsedInsteadOfAGeneratedOne() {
        List<HasMetadata> objects = HelmChart.withDefaults()
                .set("api.token.existingSecret", "team-token").set("api.token.secretKey", "bearer").render();

        assertThat(HelmChart.ofType(objects, Secret.class)).isEmpty();
        Container api = HelmChart.ofType(objects, Deployment.class).stream()
                .filter(d -> d.getMetadata().getName().equals("sandbox-pool-api")).findFirst().orElseThrow()
                .getSpec().getTemplate().getSpec().getContainers()
                .stream().filter(c -> c.getName().equals("api")).findFirst().orElseThrow();
        assertThat(api.getEnv()).filteredOn(e -> e.getName().equals("SANDBOXPOOL_API_TOKEN")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("team-token");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("bearer");
                });
    }
}
