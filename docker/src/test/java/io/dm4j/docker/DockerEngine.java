package io.dm4j.docker;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a test only where Testcontainers reaches a Docker engine, and says loudly why not. With
 * {@code -Ddm4j.docker.required=true} (the VM run, where vm/with-docker starts an engine) a
 * missing engine fails the test instead.
 */
final class DockerEngine implements ExecutionCondition {
    static final String REQUIRED = "dm4j.docker.required";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("a Docker engine is reachable");
        }
        String why = "no Docker engine reachable (Testcontainers tried DOCKER_HOST, ~/.testcontainers.properties,"
                + " /var/run/docker.sock and the rootless sockets)";
        if (Boolean.getBoolean(REQUIRED)) {
            throw new IllegalStateException(why + ", and -D" + REQUIRED + "=true says there must be one");
        }
        String reason = why + ": the privileged-container suite did NOT run (-D" + REQUIRED
                + "=true makes this a failure)";
        System.out.println("[dm4j] ****************************************************************");
        System.out.println("[dm4j] DOCKER IT SKIPPED: " + reason);
        System.out.println("[dm4j] ****************************************************************");
        return ConditionEvaluationResult.disabled(reason);
    }
}
