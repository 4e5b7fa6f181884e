package io.fedistill.core.validate;

import io.fedistill.core.tensor.TensorRole;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one tensor of a usable reply looks like: its shape and its role (whose bounds its values
 * must keep: probabilities in [0, 1], counts whole and non-negative).
 *
 * @param shape the dimensions
 * @param role what the tensor holds
 */
public record TensorSpec(int[] shape, TensorRole role) {

    /** Copies the shape. */
    public TensorSpec {
        shape = shape.clone();
        Objects.requireNonNull(role, "role");
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && Arrays.equals(shape, t.shape) && role == t.role;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + role.hashCode();
    }

    @Override
    public String toString() {
        return role.wireName() + Arrays.toString(shape);
    }
}
