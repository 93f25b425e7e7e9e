/**
 * The {@code SandboxPool} custom resource ({@code sandboxpool.dev/v1alpha1}): data and user documentation only.
 * The same types are read from YAML files in local mode and from the Kubernetes API in operator mode; defaults are
 * the field initialisers (mirrored in {@code @Default} for the CRD schema) and validation lives in
 * {@link dev.sandboxpool.spec.PoolSpecValidator}.
 */
package dev.sandboxpool.api.v1alpha1;
