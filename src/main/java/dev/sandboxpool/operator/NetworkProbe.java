package dev.sandboxpool.operator;

import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.execution.SandboxScripts;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The probe of {@link NetworkIsolation}, as pure functions: a short Python program that tries a TCP connection to
 * each address a {@code network: None} member must not reach (1 s each), and what its output means. Only a
 * completed connection counts as reached: a refusal or a timeout is what a deny-all policy looks like (some plugins
 * drop, some reject). The program carries no secret and sends nothing over a connection it makes.
 */
final class NetworkProbe {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final int KUBELET_PORT = 10250;
    /** The name of the address the kubelet injects into every container, even with enableServiceLinks false. */
    static final String SERVICE_ENV_TARGET = "the API server (KUBERNETES_SERVICE_HOST)";

    /**
     * Arguments: host port pairs. The pod's own KUBERNETES_SERVICE_HOST/PORT is tried too: the API server's
     * Service address, which the operator's client may reach another way.
     */
    private static final String SCRIPT = """
            import os,socket,sys
            a=sys.argv[1:]
            h=os.environ.get('KUBERNETES_SERVICE_HOST')
            if h:a+=[h,os.environ.get('KUBERNETES_SERVICE_PORT','443')]
            for i in range(0,len(a),2):
             s=socket.socket(socket.AF_INET6 if ':' in a[i] else socket.AF_INET)
             s.settimeout(%s)
             try:
              s.connect((a[i],int(a[i+1])));print('reached',a[i],a[i+1])
             except OSError as e:print('blocked',a[i],a[i+1],type(e).__name__)
             finally:s.close()
            """.formatted(CONNECT_TIMEOUT.toMillis() / 1000.0);

    private NetworkProbe() {
    }

    /** An address a member must not reach, and what it is, for people. */
    record Target(String what, String host, int port) {
        String address() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return what + " " + address();
        }
    }

    /** The API server as the operator's client reaches it. */
    static Optional<Target> apiServer(String masterUrl) {
        if (masterUrl == null || masterUrl.isBlank()) {
            return Optional.empty();
        }
        URI uri = URI.create(masterUrl);
        if (uri.getHost() == null) {
            return Optional.empty();
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
        return Optional.of(new Target("API server", unbracketed(uri.getHost()), port));
    }

    /** The exec that runs the probe in a member, with time for every target and the interpreter's start. */
    static ExecCall call(List<Target> targets) {
        List<String> args = new ArrayList<>();
        targets.forEach(t -> {
            args.add(t.host());
            args.add(Integer.toString(t.port()));
        });
        Duration timeout = CONNECT_TIMEOUT.multipliedBy(targets.size() + 1L).plusSeconds(10);
        return new ExecCall(SandboxScripts.python(SCRIPT, args), null, timeout, 65_536);
    }

    /** What the probe found. */
    record Findings(List<Target> reached, List<Target> blocked) {
    }

    /** The findings, or empty when the probe did not run to its end (then nothing is known). */
    static Optional<Findings> read(List<Target> targets, ExecOutput out) {
        if (out.timedOut() || out.overflowed() || out.exitCode() == null || out.exitCode() != 0) {
            return Optional.empty();
        }
        Set<Target> reached = new LinkedHashSet<>();
        Set<Target> blocked = new LinkedHashSet<>();
        int lines = 0;
        for (String line : out.stdoutText().split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length < 3 || !f[2].matches("[0-9]{1,5}")) {
                continue;
            }
            lines++;
            Target t = targets.stream().filter(x -> x.host().equals(f[1]) && x.port() == Integer.parseInt(f[2]))
                    .findFirst().orElse(new Target(SERVICE_ENV_TARGET, f[1], Integer.parseInt(f[2])));
            ("reached".equals(f[0]) ? reached : blocked).add(t);
        }
        if (lines < targets.size()) {
            return Optional.empty();
        }
        blocked.removeAll(reached);
        return Optional.of(new Findings(List.copyOf(reached), List.copyOf(blocked)));
    }

    static String describe(List<Target> targets) {
        return targets.stream().map(Target::toString).collect(Collectors.joining(", "));
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
