package dev.vmaddr.ipam;

/**
 * One thing wrong with a submitted value.
 *
 * @param field path of the field, e.g. {@code gateway}, {@code pools[1]}, {@code reservations[0].ip},
 *              {@code networks[2].cidr}
 */
public record FieldProblem(String field, String problem) {
    @Override
    public String toString() {
        return field + ": " + problem;
    }
}
