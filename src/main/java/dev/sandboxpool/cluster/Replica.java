package dev.sandboxpool.cluster;

import dev.sandboxpool.backend.kubernetes.MemberPod;

/**
 * This lease API replica, as written on the pods it leases: its name (the pod name in a cluster), and the address its
 * peers reach it at ({@code ip:port}, the chart gives the pod IP). A lease's files, commands and contexts live in the
 * runner of the replica that claimed it, so the others forward those calls there; without an address (a replica run
 * outside the cluster) they cannot, and say so.
 */
public record Replica(String name, String address) {
    public Replica {
        if (address != null && !MemberPod.isHolderAddress(address)) {
            throw new IllegalArgumentException("not an ip:port address: " + address);
        }
    }

    public static Replica named(String name) {
        return new Replica(name, null);
    }

    /** From the pod IP and port; no address when the IP is unknown. */
    public static Replica of(String name, String podIp, int port) {
        if (podIp == null || podIp.isBlank()) {
            return named(name);
        }
        String host = podIp.contains(":") ? "[" + podIp + "]" : podIp;
        return new Replica(name, host + ":" + port);
    }

}
