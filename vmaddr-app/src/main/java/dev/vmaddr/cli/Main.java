package dev.vmaddr.cli;

/** Entry point of the {@code vmaddr} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("vmaddr");
    }
}
