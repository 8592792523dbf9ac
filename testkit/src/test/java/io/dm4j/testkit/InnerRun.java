package io.dm4j.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a test class (a nested one, which no launcher's class-name filter picks up by itself)
 * through the JUnit Platform launcher, as the testkit's users would run theirs, and reports how
 * each of its tests ended. junit-platform-testkit's EngineTestKit does the same; it is not among
 * the build's dependencies.
 */
final class InnerRun {
    /** How one test ended: skipped (with the reason), or finished (SUCCESSFUL, FAILED or ABORTED). */
    record Outcome(String status, String message) {}

    private InnerRun() {}

    /** Each test's display name and outcome. */
    static Map<String, Outcome> of(Class<?> testClass) {
        Map<String, Outcome> outcomes = new TreeMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                outcomes.put(id.getDisplayName(), new Outcome("SKIPPED", reason));
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    Optional<Throwable> t = result.getThrowable();
                    outcomes.put(id.getDisplayName(), new Outcome(result.getStatus().name(),
                            t.map(Throwable::getMessage).orElse("")));
                }
            }
        };
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
                .build(), listener);
        return outcomes;
    }
}
