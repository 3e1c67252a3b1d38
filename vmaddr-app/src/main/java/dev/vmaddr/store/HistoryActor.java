package dev.vmaddr.store;

/**
 * Who is making the changes of the current call ({@code api:<token name>}, {@code dhcp}, {@code cni},
 * {@code libvirt}, {@code import}), for the history events written on its way down.
 *
 * <p>Why a scoped value and not a parameter: the writers of explicit history events (the VM
 * inventory's NIC and VM changes) sit several calls below the API handler that knows the caller;
 * threading an actor through every facade method would change dozens of signatures for one string.
 * A {@link ScopedValue} is bound for exactly the call ({@link #as}) and is immutable, so nothing leaks
 * from one request to the next.
 */
public final class HistoryActor {
    /** The DHCP server's receive path. */
    public static final String DHCP = "dhcp";
    /** The CNI plugin's routes. */
    public static final String CNI = "cni";
    /** The libvirt sync loop. */
    public static final String LIBVIRT = "libvirt";
    /** {@code vmaddr import}. */
    public static final String IMPORT = "import";

    private static final ScopedValue<String> CURRENT = ScopedValue.newInstance();

    private HistoryActor() {}

    /**
     * The actor bound for this call, or null. No allocation: the stores call it per lease write.
     * (Not {@code orElse(null)}: it rejects a null default.)
     */
    public static String current() {
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    /**
     * Runs {@code op} with {@code actor} as the current actor. Binding allocates (a scoped-value
     * snapshot), so hot loops bind once around the loop, not per packet (see the DHCP receiver).
     */
    public static void run(String actor, Runnable op) {
        ScopedValue.where(CURRENT, actor).run(op);
    }

    /** Runs {@code op} with {@code actor} as the current actor. */
    public static <R, X extends Throwable> R as(String actor, ScopedValue.CallableOp<R, X> op) throws X {
        return ScopedValue.where(CURRENT, actor).call(op);
    }
}
