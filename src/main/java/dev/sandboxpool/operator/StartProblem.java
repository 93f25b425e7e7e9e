package dev.sandboxpool.operator;

import dev.sandboxpool.backend.kubernetes.MemberPod;
import dev.sandboxpool.pool.MemberState;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why starting members do not come up, read from what the kubelet and scheduler report on their pods, so status
 * says it long before the start-up timeout replaces them.
 *
 * @param imagePull the image cannot be pulled (reported as {@code ImagePullFailed})
 */
record StartProblem(boolean imagePull, String message) {
    /** Waiting reasons that do not pass by themselves ({@code ContainerCreating} and the like do). */
    private static final Set<String> BROKEN = Set.of("CreateContainerConfigError", "CreateContainerError",
            "RunContainerError", "CrashLoopBackOff");

    static Optional<StartProblem> find(List<MemberPod> pods, String image) {
        List<MemberPod> starting = pods.stream().filter(m -> m.state() == MemberState.STARTING && !m.gone()).toList();
        for (MemberPod m : starting) {
            var waiting = m.waiting();
            if (waiting.isPresent() && waiting.get().imagePull()) {
                return Optional.of(new StartProblem(true, "image " + image + " cannot be pulled (pod " + m.name()
                        + "): " + waiting.get()));
            }
        }
        for (MemberPod m : starting) {
            var waiting = m.waiting().filter(w -> BROKEN.contains(w.reason()));
            if (waiting.isPresent()) {
                return Optional.of(new StartProblem(false, "pod " + m.name() + " cannot start: " + waiting.get()));
            }
            var unschedulable = m.unschedulable();
            if (unschedulable.isPresent()) {
                return Optional.of(new StartProblem(false, "pod " + m.name() + " cannot be scheduled: "
                        + unschedulable.get()));
            }
        }
        return Optional.empty();
    }
}
