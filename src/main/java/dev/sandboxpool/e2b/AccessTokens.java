package dev.sandboxpool.e2b;

import dev.sandboxpool.http.ApiConfig;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The envd access token of a sandbox: what the SDK gets at create or connect (with the API key) and sends with every
 * call into the sandbox ({@code X-Access-Token}, or {@code E2B-Traffic-Access-Token} on the code interpreter's calls
 * that carry no other). It is an HMAC of the sandbox id, so knowing or guessing an id runs nothing, and nothing needs
 * storing. The key comes from the API token when one is set, so every replica behind a Service accepts the tokens of
 * the others; without a token it is random per process (local mode is one process).
 */
@Singleton
public class AccessTokens {
    private static final HexFormat HEX = HexFormat.of();
    private final SecretKeySpec key;

    public AccessTokens(ApiConfig config) {
        this(config.getToken());
    }

    AccessTokens(String apiToken) {
        byte[] secret;
        if (apiToken == null || apiToken.isBlank()) {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        } else {
            secret = sha256("sandbox-pool e2b envd access token\n" + apiToken.strip());
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public String of(String sandboxId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HEX.formatHex(mac.doFinal(sandboxId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }

    /** Whether {@code presented} is the token of {@code sandboxId}, compared in constant time. */
    public boolean valid(String sandboxId, String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(of(sandboxId)), sha256(presented.strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
