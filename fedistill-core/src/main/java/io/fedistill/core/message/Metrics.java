package io.fedistill.core.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/** An ordered, immutable map of named numbers that a message reports (loss, accuracy, counts). */
public record Metrics(Map<String, Double> values) {
    private static final Metrics EMPTY = new Metrics(Map.of());

    /** Copies and freezes the values, refusing null names or values. */
    public Metrics {
        LinkedHashMap<String, Double> copy = new LinkedHashMap<>();
        values.forEach(
                (k, v) -> {
                    if (k == null || v == null) {
                        throw new IllegalArgumentException(
                                "metrics may not hold null names or values");
                    }
                    copy.put(k, v);
                });
        values = Collections.unmodifiableMap(copy);
    }

    /** Returns the metrics with no values. */
    public static Metrics empty() {
        return EMPTY;
    }

    /** Returns metrics from alternating name and value arguments. */
    public static Metrics of(Object... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("metrics need name/value pairs");
        }
        LinkedHashMap<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            map.put((String) nameValuePairs[i], ((Number) nameValuePairs[i + 1]).doubleValue());
        }
        return new Metrics(map);
    }

    /** Returns these metrics with one more value (or the named one replaced). */
    public Metrics with(String name, double value) {
        LinkedHashMap<String, Double> map = new LinkedHashMap<>(values);
        map.put(name, value);
        return new Metrics(map);
    }

    /**
     * Returns these metrics with {@code others}' values added (those of the same name replaced).
     */
    public Metrics withAll(Metrics others) {
        if (others.values.isEmpty()) {
            return this;
        }
        LinkedHashMap<String, Double> map = new LinkedHashMap<>(values);
        map.putAll(others.values);
        return new Metrics(map);
    }

    /** Returns the named value if present. */
    public OptionalDouble find(String name) {
        Double v = values.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * Returns the named value.
     *
     * @throws IllegalArgumentException naming the missing metric
     */
    public double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(
                    "no metric named '" + name + "'; present: " + values.keySet());
        }
        return v;
    }
}
