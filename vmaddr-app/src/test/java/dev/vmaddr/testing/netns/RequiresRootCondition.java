package dev.vmaddr.testing.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The check behind {@link RequiresRoot}. */
public final class RequiresRootCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!isRoot()) {
            return ConditionEvaluationResult.disabled("needs root (network namespaces)");
        }
        if (Commands.ipBinary().isEmpty()) {
            return ConditionEvaluationResult.disabled("needs iproute2 'ip'");
        }
        return ConditionEvaluationResult.enabled("root with iproute2");
    }

    /** Effective uid 0, read from /proc so no native access or extra module is needed. */
    static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.split("\\s+"))
                    .anyMatch(f -> f.length > 2 && f[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
