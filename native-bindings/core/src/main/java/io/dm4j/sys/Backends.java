package io.dm4j.sys;

import io.dm4j.sys.spi.BackendProvider;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds, checks and caches the backends. Each backend is created at most once per JVM. The choice
 * is a pure function of the installed providers' priorities and this JVM, so two programs with
 * the same jars pick the same backend whatever order the class path lists them in.
 */
final class Backends {

    /** The backends dm4j ships, best first, with the artifact that brings each one. */
    private static final Map<String, String> KNOWN = knownBackends();

    private static Map<String, String> knownBackends() {
        Map<String, String> known = new LinkedHashMap<>();
        known.put("ffm", "io.dm4j:dm4j-native-bindings");
        known.put("jnr", "io.dm4j:dm4j-native-jnr");
        known.put("jna", "io.dm4j:dm4j-native-jna");
        return known;
    }

    /**
     * A created backend, or why it could not be created and whether that is only because this JVM
     * is not one the backend is made for.
     */
    private record Outcome(Syscalls backend, String unavailableReason, boolean unsupportedHere) {}

    private static final ConcurrentMap<String, Outcome> OUTCOMES = new ConcurrentHashMap<>();

    private static final System.Logger LOG = System.getLogger(Syscalls.class.getName());

    private Backends() {}

    private static volatile Syscalls selected;

    /**
     * The providers on the class or module path, best first, ties broken by name; and those that
     * could not even be loaded (e.g. a backend jar that cannot see the SPI), said in words.
     */
    private static final class Installed {
        static final List<String> UNLOADABLE = new ArrayList<>();
        static final List<BackendProvider> PROVIDERS = find();

        private static List<BackendProvider> find() {
            List<BackendProvider> found = new ArrayList<>();
            // dm4j's own loader, not the thread's context loader: the answer must not depend on
            // which thread asks first.
            Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())
                    .iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    found.add(it.next());
                } catch (ServiceConfigurationError | LinkageError e) {
                    // One broken provider must not hide the others, FFM included.
                    UNLOADABLE.add(reason(e));
                }
            }
            found.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
                    .thenComparing(BackendProvider::name));
            return List.copyOf(found);
        }
    }

    /** Chosen once; a failed choice is reported again on every call, not turned into a linkage error. */
    static Syscalls selected() {
        Syscalls s = selected;
        if (s == null) {
            synchronized (Backends.class) {
                s = selected;
                if (s == null) {
                    String requested = System.getProperty(Syscalls.BACKEND_PROPERTY, "");
                    s = select(requested);
                    if (requested.isBlank()) {
                        report(s);
                    } else {
                        LOG.log(System.Logger.Level.DEBUG, "dm4j native backend: {0} (-D{1})", s.backend(),
                                Syscalls.BACKEND_PROPERTY);
                    }
                    selected = s;
                }
            }
        }
        return s;
    }

    static Syscalls select(String requested) {
        if (!requested.isBlank()) {
            return byName(requested.trim());
        }
        for (BackendProvider provider : Installed.PROVIDERS) {
            Outcome outcome = outcome(provider.name());
            if (outcome.backend != null) {
                return outcome.backend;
            }
        }
        throw new IllegalStateException("no native backend can be used here: " + describeAll());
    }

    /**
     * One line for the automatic choice: at DEBUG when it is the expected one for this JVM; at
     * WARNING when a better backend was installed but failed for a reason other than the JDK's
     * version (native access not enabled, a broken library), since that is a configuration to fix.
     */
    private static void report(Syscalls chosen) {
        StringBuilder skipped = new StringBuilder();
        boolean misconfigured = false;
        for (BackendProvider provider : Installed.PROVIDERS) {
            if (provider.name().equals(chosen.backend())) {
                break;
            }
            Outcome outcome = outcome(provider.name());
            misconfigured |= !outcome.unsupportedHere;
            skipped.append("; ").append(provider.name()).append(" unavailable: ").append(outcome.unavailableReason);
        }
        LOG.log(misconfigured ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "dm4j native backend: {0}{1}", chosen.backend(), skipped);
    }

    static Syscalls byName(String name) {
        if (!names().contains(name)) {
            throw new IllegalArgumentException("unknown native backend '" + name + "' (-D" + Syscalls.BACKEND_PROPERTY
                    + "): valid choices are " + String.join(", ", names()) + "; here " + describeAll());
        }
        Outcome outcome = outcome(name);
        if (outcome.backend == null) {
            throw new IllegalStateException("native backend '" + name + "' is unavailable: " + outcome.unavailableReason
                    + "; here " + describeAll());
        }
        return outcome.backend;
    }

    /** dm4j's backends, then any other installed ones, in the order {@link #select} tries them. */
    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : Installed.PROVIDERS) {
            names.add(p.name());
        }
        for (String known : KNOWN.keySet()) {
            if (!names.contains(known)) {
                names.add(known);
            }
        }
        return names;
    }

    static List<Syscalls.BackendStatus> statuses() {
        List<Syscalls.BackendStatus> list = new ArrayList<>();
        for (String name : names()) {
            list.add(new Syscalls.BackendStatus(name, outcome(name).unavailableReason));
        }
        return list;
    }

    private static String describeAll() {
        StringBuilder sb = new StringBuilder();
        for (Syscalls.BackendStatus s : statuses()) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(s.name()).append(s.available() ? ": available" : ": unavailable (" + s.unavailableReason() + ")");
        }
        return sb.toString();
    }

    private static Outcome outcome(String name) {
        return OUTCOMES.computeIfAbsent(name, Backends::create);
    }

    private static Outcome create(String name) {
        for (BackendProvider provider : Installed.PROVIDERS) {
            if (provider.name().equals(name)) {
                return create(provider);
            }
        }
        String unloadable = Installed.UNLOADABLE.isEmpty() ? ""
                : " (a backend provider could not be loaded: " + String.join("; ", Installed.UNLOADABLE) + ")";
        return new Outcome(null, "not installed: add " + KNOWN.get(name) + " to the class or module path" + unloadable,
                false);
    }

    private static Outcome create(BackendProvider provider) {
        try {
            return new Outcome(provider.create(), null, false);
        } catch (UnsupportedOperationException e) {
            return new Outcome(null, e.getMessage(), true);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // Any other Error too: JNA, for one, throws a plain Error for a mismatched native library.
            return new Outcome(null, reason(e), false);
        }
    }

    private static String reason(Throwable t) {
        if (t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) {
            return "its library is not on the class path (" + t.getMessage() + ")";
        }
        if ((t instanceof ExceptionInInitializerError || t instanceof InvocationTargetException) && t.getCause() != null) {
            return reason(t.getCause());
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
