package dev.vmaddr.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the direction of every layer, so the README's layout map is what the code does and cannot
 * drift back (store once imported ipam while ipam imported store).
 *
 * <p>From the bottom: value types ({@code addr}, {@code index}, {@code model}) and the log event
 * catalogue ({@code log}) depend on nothing else; the store sees only values; allocation
 * ({@code mac}, {@code ipam}) sits on the store; the VM inventory and the DHCP server on
 * allocation; host-side tools beside them; the import of other DHCP servers' files ({@code importing}: parsers,
 * then the engine and the catalog) on allocation too; libvirt (keeping VMs in step with domains, over virsh)
 * on the inventory and host tools; the KubeVirt manifest reader ({@code kubevirt}) on libvirt's domain records only;
 * the API over all of it; {@code cli} and {@code serve} on top, and {@code serve} is the one place that wires.
 */
class LayerDirectionTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.vmaddr");
    }

    @Test
    void layers() {
        ArchRule rule = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Values").definedBy("dev.vmaddr.addr..", "dev.vmaddr.index..", "dev.vmaddr.model..",
                        "dev.vmaddr.log..")
                .layer("Store").definedBy("dev.vmaddr.store..")
                .layer("Allocation").definedBy("dev.vmaddr.mac..", "dev.vmaddr.ipam..")
                .layer("Inventory").definedBy("dev.vmaddr.vm..")
                .layer("Dhcp").definedBy("dev.vmaddr.dhcp..", "dev.vmaddr.dhcp6..", "dev.vmaddr.ra..")
                .layer("Host").definedBy("dev.vmaddr.hostnet..", "dev.vmaddr.connectivity..",
                        "dev.vmaddr.doctor..", "dev.vmaddr.nad..")
                .layer("Import").definedBy("dev.vmaddr.importing..")
                .layer("Libvirt").definedBy("dev.vmaddr.libvirt..")
                .layer("Kubevirt").definedBy("dev.vmaddr.kubevirt..")
                .layer("Config").definedBy("dev.vmaddr.config..", "dev.vmaddr.metrics..")
                .layer("Api").definedBy("dev.vmaddr.api..")
                .layer("Entry").definedBy("dev.vmaddr.cli..", "dev.vmaddr.serve..", "dev.vmaddr.cni..")
                .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
                .whereLayer("Api").mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Api", "Entry")
                .whereLayer("Kubevirt").mayOnlyBeAccessedByLayers("Api", "Entry")
                .whereLayer("Libvirt").mayOnlyBeAccessedByLayers("Kubevirt", "Api", "Entry")
                .whereLayer("Host").mayOnlyBeAccessedByLayers("Libvirt", "Api", "Entry")
                .whereLayer("Import").mayOnlyBeAccessedByLayers("Api", "Entry")
                .whereLayer("Inventory").mayOnlyBeAccessedByLayers("Libvirt", "Api", "Entry")
                .whereLayer("Dhcp").mayOnlyBeAccessedByLayers("Host", "Entry")
                .whereLayer("Allocation").mayOnlyBeAccessedByLayers("Inventory", "Dhcp", "Import", "Config", "Api", "Entry")
                .whereLayer("Store").mayOnlyBeAccessedByLayers("Allocation", "Inventory", "Dhcp", "Host", "Libvirt", "Api", "Entry");
        rule.check(main);
    }

    /**
     * The KubeVirt manifest reader reads: files in, libvirt's domain records out (reconcile plans
     * with them); it never touches the store, the inventory or allocation, so a broken file cannot
     * have written anything.
     */
    @Test
    void kubevirtReaderOnlyReads() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.kubevirt..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.store..", "dev.vmaddr.vm..", "dev.vmaddr.ipam..",
                        "dev.vmaddr.mac..", "dev.vmaddr.dhcp..", "dev.vmaddr.hostnet..", "dev.vmaddr.nad..", "dev.vmaddr.config..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.vmaddr.libvirt.Reconciler")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.vmaddr.libvirt.Virsh");
        rule.check(main);
    }

    /** Top-level packages form no cycle (layers above allow same-layer access; this closes that gap). */
    @Test
    void noPackageCycles() {
        ArchRule rule = slices().matching("dev.vmaddr.(*)..").should().beFreeOfCycles();
        rule.check(main);
    }

    /** The records every layer shares know only addresses. */
    @Test
    void modelKnowsOnlyAddresses() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.model..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.index..", "dev.vmaddr.store..",
                        "dev.vmaddr.ipam..", "dev.vmaddr.mac..", "dev.vmaddr.vm..", "dev.vmaddr.dhcp..");
        rule.check(main);
    }

    /** The store contract does not know its back ends, and no back end knows another. */
    @Test
    void storeContractAboveBackEnds() {
        ArchRule rule = noClasses()
                .that().resideInAPackage("dev.vmaddr.store")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.store.embedded..",
                        "dev.vmaddr.store.postgresql..", "dev.vmaddr.store.memory..");
        rule.check(main);
    }

    /** No back end knows another; what they share ({@code store.compact}: in-memory forms of leases) is not a back end. */
    @Test
    void storeBackEndsApart() {
        ArchRule rule = slices().matching("dev.vmaddr.store.(*)..")
                .should().notDependOnEachOther()
                .ignoreDependency(com.tngtech.archunit.base.DescribedPredicate.alwaysTrue(),
                        com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("dev.vmaddr.store.compact.."));
        rule.check(main);
    }

    /** The shared in-memory forms know values only: no back end, not even the store contract. */
    @Test
    void compactStoreFormsKnowNoBackEnd() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.store.compact..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.store", "dev.vmaddr.store.embedded..",
                        "dev.vmaddr.store.postgresql..", "dev.vmaddr.store.memory..");
        rule.check(main);
    }

    /**
     * The CNI plugin is exec'd per pod and copied alone into a small jar by {@code vmaddr cni install}:
     * it may use the JDK's java.* packages (javax.net for https) and its own package, nothing else (no Jackson, no java.net.http,
     * no other vmaddr package), or it would fail to load there, or start slowly.
     */
    @Test
    void cniPluginUsesOnlyJavaBase() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.cni.plugin..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "outside java.* (java.net.http excepted), javax.net and the plugin package",
                        c -> !c.getPackageName().startsWith("dev.vmaddr.cni.plugin") && !c.isPrimitive() && !c.isArray()
                                && !(c.getPackageName().startsWith("java.") && !c.getPackageName().startsWith("java.net.http"))
                                && !c.getPackageName().startsWith("javax.net")));
        rule.check(main);
    }

    /** Kea's libdhcp++: the codec is the wire format only. */
    @Test
    void codecIsWireOnly() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.dhcp.codec..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.model..", "dev.vmaddr.ipam..",
                        "dev.vmaddr.store..", "dev.vmaddr.dhcp.protocol..", "dev.vmaddr.dhcp.transport..",
                        "dev.vmaddr.dhcp.server..");
        rule.check(main);
    }

    /** Transport moves bytes; it knows no message and no lease. */
    @Test
    void transportMovesBytes() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.dhcp.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.model..", "dev.vmaddr.ipam..",
                        "dev.vmaddr.store..", "dev.vmaddr.dhcp.codec..", "dev.vmaddr.dhcp.protocol..",
                        "dev.vmaddr.dhcp.server..");
        rule.check(main);
    }

    /** The protocol sees the engine only through LeaseOperations: no engine, no store, no socket. */
    @Test
    void protocolWithoutIo() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.dhcp.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.store..", "dev.vmaddr.dhcp.transport..",
                        "dev.vmaddr.dhcp.server..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.vmaddr.ipam.AllocationEngine");
        rule.check(main);
    }

    /** Router advertisements: values, the network model and IPv6 sockets; never the engine or the store. */
    @Test
    void routerAdvertisementsSeeNoEngine() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.ra..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.store..", "dev.vmaddr.ipam..",
                        "dev.vmaddr.dhcp.protocol..", "dev.vmaddr.dhcp.server..", "dev.vmaddr.dhcp.codec..");
        rule.check(main);
    }

    /** DHCPv6 as DHCPv4: the codec is the wire format only. */
    @Test
    void dhcp6CodecIsWireOnly() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.dhcp6.codec..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.model..", "dev.vmaddr.ipam..",
                        "dev.vmaddr.store..", "dev.vmaddr.dhcp6.protocol..", "dev.vmaddr.dhcp6.server..",
                        "dev.vmaddr.dhcp..", "dev.vmaddr.ra..");
        rule.check(main);
    }

    /** The DHCPv6 protocol sees leases only through Lease6Operations: no engine, no store, no socket. */
    @Test
    void dhcp6ProtocolWithoutIo() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.vmaddr.dhcp6.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.vmaddr.store..", "dev.vmaddr.ipam..",
                        "dev.vmaddr.dhcp.transport..", "dev.vmaddr.dhcp6.server..", "dev.vmaddr.ra..");
        rule.check(main);
    }
}
