package io.dm4j.cli;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Just enough JSON for dmctl's --json output: objects, arrays, strings, numbers, booleans. */
final class Json {
    private Json() {}

    /** Renders a map (values: String, Number, Boolean, Map, Collection, Optional or null) as one JSON object. */
    static String object(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(string(k)).append(':').append(value(v));
        });
        return sb.append('}').toString();
    }

    private static String value(Object v) {
        if (v instanceof Optional<?> o) {
            return value(o.orElse(null));
        }
        if (v == null) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) m;
            return object(typed);
        }
        if (v instanceof Collection<?> c) {
            StringBuilder sb = new StringBuilder("[");
            for (Object e : c) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(value(e));
            }
            return sb.append(']').toString();
        }
        return string(v.toString());
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
