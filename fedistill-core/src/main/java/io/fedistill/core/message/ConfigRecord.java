package io.fedistill.core.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named scalar settings a coordinator sends with a message (learning rate, epochs, a seed, a step
 * name). Values are strings, booleans, longs or doubles; nothing else crosses the wire.
 */
public record ConfigRecord(Map<String, Object> values) {
    private static final ConfigRecord EMPTY = new ConfigRecord(Map.of());

    /** Copies and freezes the values, refusing types a codec cannot carry. */
    public ConfigRecord {
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
        values.forEach(
                (k, v) -> {
                    copy.put(k, normalize(k, v));
                });
        values = Collections.unmodifiableMap(copy);
    }

    private static Object normalize(String name, Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Long
                || value instanceof Double
                || value instanceof String
                || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException(
                "config '"
                        + name
                        + "' must be a string, boolean or number, got "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    /** Returns the config with no values. */
    public static ConfigRecord empty() {
        return EMPTY;
    }

    /** Returns a config from alternating name and value arguments. */
    public static ConfigRecord of(Object... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("config needs name/value pairs");
        }
        LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            map.put((String) nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return new ConfigRecord(map);
    }

    /** Returns whether a value is present. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Returns a numeric value as a double. */
    public double getDouble(String name) {
        return ((Number) require(name, Number.class)).doubleValue();
    }

    /** Returns a numeric value as a double, or a default when absent. */
    public double getDouble(String name, double fallback) {
        return has(name) ? getDouble(name) : fallback;
    }

    /** Returns a numeric value as a long. */
    public long getLong(String name) {
        return ((Number) require(name, Number.class)).longValue();
    }

    /** Returns a string value. */
    public String getString(String name) {
        return (String) require(name, String.class);
    }

    /** Returns a string value or a default when absent. */
    public String getString(String name, String fallback) {
        return has(name) ? getString(name) : fallback;
    }

    /** Returns a boolean value or a default when absent. */
    public boolean getBoolean(String name, boolean fallback) {
        return has(name) ? (Boolean) require(name, Boolean.class) : fallback;
    }

    private Object require(String name, Class<?> type) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(
                    "config has no '" + name + "'; present: " + values.keySet());
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(
                    "config '" + name + "' must be " + type.getSimpleName() + ", got " + v);
        }
        return v;
    }
}
