package io.dm4j.sys;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Finds, checks and caches the backends. Each backend is created at most once per JVM. */
final class Backends {

    /** The backends, best first. */
    private enum Kind {
        FFM("io.dm4j.sys.FfmBackend", 22),
        JNR("io.dm4j.sys.JnrBackend", 17),
        JNA("io.dm4j.sys.JnaBackend", 17);

        final String className;
        final int minimumJdk;

        Kind(String className, int minimumJdk) {
            this.className = className;
            this.minimumJdk = minimumJdk;
        }

        String shortName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A created backend, or why it could not be created. */
    private record Outcome(Syscalls backend, String unavailableReason) {}

    private static final ConcurrentMap<Kind, Outcome> OUTCOMES = new ConcurrentHashMap<>();

    private Backends() {}

    private static volatile Syscalls selected;

    /** Chosen once; a failed choice is reported again on every call, not turned into a linkage error. */
    static Syscalls selected() {
        Syscalls s = selected;
        if (s == null) {
            synchronized (Backends.class) {
                s = selected;
                if (s == null) {
                    s = select(System.getProperty(Syscalls.BACKEND_PROPERTY, ""));
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
        for (Kind kind : Kind.values()) {
            Outcome outcome = outcome(kind);
            if (outcome.backend != null) {
                if (kind != Kind.FFM && Runtime.version().feature() >= Kind.FFM.minimumJdk) {
                    System.getLogger(Backends.class.getName()).log(System.Logger.Level.WARNING,
                            "dm4j: FFM backend unavailable ({0}); using {1}", outcome(Kind.FFM).unavailableReason,
                            kind.shortName());
                }
                return outcome.backend;
            }
        }
        throw new IllegalStateException("no native backend can be used here: " + describeAll());
    }

    static Syscalls byName(String name) {
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.shortName().equals(name)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException("unknown native backend '" + name + "' (-D" + Syscalls.BACKEND_PROPERTY
                    + "): valid choices are ffm, jnr, jna; here " + describeAll());
        }
        Outcome outcome = outcome(kind);
        if (outcome.backend == null) {
            throw new IllegalStateException("native backend '" + name + "' is unavailable: " + outcome.unavailableReason
                    + "; here " + describeAll());
        }
        return outcome.backend;
    }

    static List<Syscalls.BackendStatus> statuses() {
        List<Syscalls.BackendStatus> list = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            list.add(new Syscalls.BackendStatus(kind.shortName(), outcome(kind).unavailableReason));
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

    private static Outcome outcome(Kind kind) {
        return OUTCOMES.computeIfAbsent(kind, Backends::create);
    }

    private static Outcome create(Kind kind) {
        int jdk = Runtime.version().feature();
        if (jdk < kind.minimumJdk) {
            return new Outcome(null, "needs JDK " + kind.minimumJdk + "+, running " + jdk);
        }
        try {
            Class<?> type = Class.forName(kind.className);
            return new Outcome((Syscalls) type.getDeclaredConstructor().newInstance(), null);
        } catch (InvocationTargetException e) {
            return new Outcome(null, reason(e.getCause()));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new Outcome(null, reason(e));
        }
    }

    private static String reason(Throwable t) {
        if (t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) {
            return "its library is not on the class path (" + t.getMessage() + ")";
        }
        if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
            return reason(t.getCause());
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
