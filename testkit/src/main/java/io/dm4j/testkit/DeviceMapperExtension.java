package io.dm4j.testkit;

import io.dm4j.DeviceMapper;
import io.dm4j.registry.TableRegistry;
import io.dm4j.testkit.RequiresDeviceMapper.Missing;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension for tests that use the kernel's device-mapper; usually applied with
 * {@link RequiresDeviceMapper}. For each test it
 * <ul>
 *   <li>skips or fails it where device-mapper cannot be used (see {@link RequiresDeviceMapper});
 *   <li>resolves parameters of test methods and {@code @BeforeEach}/{@code @AfterEach} methods: a
 *       {@link DeviceMapper} and a {@link TableRegistry} on it (one each per test, closed after it),
 *       {@link DeviceNames} and {@link Scratch}-annotated {@link ScratchDisk}s (detached after it);
 *   <li>after the test (and its {@code @AfterEach} methods), removes every device-mapper device
 *       still named by its {@link DeviceNames}, detaches every loop device of its scratch disks
 *       that is still attached, and then fails the test, naming them. Devices the test did not
 *       make are never touched.
 * </ul>
 */
public final class DeviceMapperExtension
        implements ExecutionCondition, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DeviceMapperExtension.class);

    /** Made by JUnit, for {@code @ExtendWith} and {@link RequiresDeviceMapper}. */
    public DeviceMapperExtension() {}

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Verdict.here(onMissing(context), missing(context)) instanceof Verdict.Skip skip) {
            return ConditionEvaluationResult.disabled(skip.reason());
        }
        return ConditionEvaluationResult.enabled("device-mapper can be used, or a missing one fails the test");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (Verdict.here(onMissing(context), missing(context)) instanceof Verdict.Fail fail) {
            Assertions.fail(fail.reason());
        }
        context.getStore(NS).put(TestScope.class, new TestScope(DeviceNames.forNextTest()));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        TestScope scope = context.getStore(NS).remove(TestScope.class, TestScope.class);
        if (scope == null) {
            return; // beforeEach failed: nothing was given out
        }
        List<String> leaks = scope.close();
        if (!leaks.isEmpty()) {
            Assertions.fail(context.getDisplayName() + " left " + leaks.size()
                    + " device(s) behind, now removed: " + String.join("; ", leaks));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == DeviceMapper.class || type == TableRegistry.class || type == DeviceNames.class
                || type == ScratchDisk.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestScope scope = context.getStore(NS).get(TestScope.class, TestScope.class);
        Parameter p = parameter.getParameter();
        if (scope == null) {
            throw new ParameterResolutionException("DeviceMapperExtension gives a " + p.getType().getSimpleName()
                    + " to test methods and their @BeforeEach and @AfterEach methods only, not to "
                    + parameter.getDeclaringExecutable());
        }
        try {
            if (p.getType() == DeviceMapper.class) {
                return scope.deviceMapper();
            }
            if (p.getType() == TableRegistry.class) {
                return scope.registry();
            }
            if (p.getType() == DeviceNames.class) {
                return scope.names();
            }
            Scratch scratch = parameter.findAnnotation(Scratch.class).orElseThrow(() -> new ParameterResolutionException(
                    "annotate the ScratchDisk parameter " + p.getName() + " with @Scratch(size = \"...\")"));
            return scope.scratchDisk("p" + parameter.getIndex(), Sizes.parse(scratch.size()));
        } catch (ParameterResolutionException e) {
            throw e;
        } catch (Exception e) {
            throw new ParameterResolutionException("could not make the " + p.getType().getSimpleName() + " for "
                    + parameter.getDeclaringExecutable().getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the host has device-mapper, judged once per run: the condition and the callback of
     * every test ask, and the answer opens the control node.
     */
    @SuppressWarnings("unchecked")
    private static Optional<String> missing(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(Verdict.class, k -> Verdict.missingHere(),
                Optional.class);
    }

    /**
     * The nearest {@link RequiresDeviceMapper}: on the method, its class, an enclosing class;
     * {@link Missing#SKIP} if the extension was registered without one.
     */
    private static Missing onMissing(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Optional<RequiresDeviceMapper> found = c.get().getElement().flatMap(DeviceMapperExtension::annotation);
            if (found.isPresent()) {
                return found.get().onMissing();
            }
        }
        return Missing.SKIP;
    }

    private static Optional<RequiresDeviceMapper> annotation(AnnotatedElement e) {
        return org.junit.platform.commons.support.AnnotationSupport.findAnnotation(e, RequiresDeviceMapper.class);
    }
}
