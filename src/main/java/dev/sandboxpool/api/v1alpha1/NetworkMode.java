package dev.sandboxpool.api.v1alpha1;

/** Network access of a pool's members. */
public enum NetworkMode {
    /** No network interface but loopback. */
    None,
    /** The backend's default network. */
    Allowed
}
