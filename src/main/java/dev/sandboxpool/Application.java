package dev.sandboxpool;

import io.micronaut.runtime.Micronaut;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code java -jar sandbox-pool.jar [local|operator|api]}: the first argument picks the mode (default: the
 * {@code sandboxpool.mode} property, {@code local} unless configured). Each mode's beans are switched by
 * {@code @Requires(property = "sandboxpool.mode")}.
 */
public class Application {
    static final Set<String> MODES = Set.of("local", "operator", "api");

    public static void main(String[] args) {
        String[] rest = args;
        if (args.length > 0 && MODES.contains(args[0])) {
            System.setProperty("sandboxpool.mode", args[0]);
            rest = Arrays.copyOfRange(args, 1, args.length);
        } else if (args.length > 0 && !args[0].startsWith("-")) {
            System.err.println("unknown mode " + args[0] + ": use one of local, operator, api");
            System.exit(2);
        }
        Micronaut.run(Application.class, rest);
    }
}
