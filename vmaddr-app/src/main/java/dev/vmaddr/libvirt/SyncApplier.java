package dev.vmaddr.libvirt;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.libvirt.SyncPlan.Conflict;
import dev.vmaddr.libvirt.SyncPlan.VmPlan;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.vm.VmException;
import dev.vmaddr.vm.VmInventory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link SyncPlan} through the {@link VmInventory} facade, VM by VM in plan order. A step
 * the inventory refuses (a MAC the pool holds for someone else, an exhausted network) stops that
 * VM's remaining steps and is reported (a refused MAC claim as a {@code mac-conflict}), except a
 * refused MAC of one NIC ({@link SyncStep.AddNic}, {@link SyncStep.SetMac}), which leaves out only
 * that NIC; the other VMs still apply, and the next pass tries again. Every uniqueness rule stays the inventory's: the
 * plan only proposes.
 */
public final class SyncApplier {
    private static final Logger LOG = LoggerFactory.getLogger(SyncApplier.class);

    /** Writes a pending MAC into a shut-off domain's definition (see {@link DomainMacWriter}). */
    public interface DomainWriter {
        void write(SyncStep.DefineMac step);
    }

    private final VmInventory inventory;
    private final ManagedDomains managed;

    public SyncApplier(VmInventory inventory, ManagedDomains managed) {
        this.inventory = inventory;
        this.managed = managed;
    }

    /**
     * @param uri    the libvirt URI the plan was made from (recorded for the VMs it manages)
     * @param writer where {@link SyncStep.DefineMac} steps go; null to skip them (definitions from files)
     */
    public SyncResult apply(SyncPlan plan, String uri, DomainWriter writer) {
        List<Conflict> conflicts = new ArrayList<>(plan.conflicts());
        List<String> errors = new ArrayList<>();
        for (VmPlan vm : plan.vms()) {
            List<SyncStep> steps = new ArrayList<>(vm.steps());
            Set<String> refusedMac = new HashSet<>();
            for (int i = 0; i < steps.size(); i++) {
                SyncStep step = withoutRefused(steps.get(i), refusedMac);
                if (step == null) {
                    continue;
                }
                try {
                    apply(step, writer);
                } catch (VmException e) {
                    if (step instanceof SyncStep.CreateVm c && e.kind() == VmException.Kind.CONFLICT && !c.nics().isEmpty()) {
                        // One NIC's MAC refused: the VM still comes, each NIC on its own so only that one is left out.
                        steps.add(i + 1, new SyncStep.CreateVm(c.vm(), List.of()));
                        for (int k = 0; k < c.nics().size(); k++) {
                            steps.add(i + 2 + k, new SyncStep.AddNic(c.vm(), c.nics().get(k)));
                        }
                        continue;
                    }
                    if (e.kind() == VmException.Kind.CONFLICT && macOf(step) != null) {
                        // The refused MAC, as the planner's conflicts carry it: the NIC named may be one the
                        // interface would have become (nic0-1 when nic0 followed its MAC elsewhere), so the
                        // MAC is what ties the conflict to the domain's interface.
                        conflicts.add(new Conflict(vm.name(), nicOf(step), SyncPlan.MAC_CONFLICT, macOf(step),
                                e.getMessage(), "give the domain's interface another MAC (virsh edit " + vm.name()
                                        + ": remove its <mac> line and libvirt picks one)"));
                    } else {
                        errors.add(vm.name() + ": " + e.getMessage());
                    }
                    LOG.warn(LogEvents.LIBVIRT_STEP_FAILED + " vm={} step={} error=\"{}\"", vm.name(),
                            step.getClass().getSimpleName(), e.getMessage());
                    if (step instanceof SyncStep.SetMac m && e.kind() == VmException.Kind.CONFLICT) {
                        // Only that NIC keeps its old MAC: the VM's other steps (unplugging another NIC,
                        // starting or stopping the VM) do not depend on it, and skipping them would leave
                        // them undone for as long as the pool refuses the MAC (a quarantine), so a second
                        // pass would change things. Later steps about this NIC are dropped instead.
                        refusedMac.add(m.nic());
                    } else if (!(step instanceof SyncStep.AddNic)) {
                        break; // the VM's later steps assume this one happened
                    }
                } catch (LibvirtException e) {
                    errors.add(vm.name() + ": " + e.getMessage());
                    LOG.warn(LogEvents.LIBVIRT_STEP_FAILED + " vm={} step={} error=\"{}\"", vm.name(),
                            step.getClass().getSimpleName(), e.getMessage());
                }
            }
            if (vm.action() == SyncPlan.Action.REMOVED) {
                managed.forget(vm.name());
            } else if (inventory.find(vm.name()).isPresent()) {
                managed.manage(vm.name(), uri, vm.uuid());
            }
        }
        return new SyncResult(false, plan, conflicts, errors);
    }

    /**
     * {@code step} without what assumed a refused {@link SyncStep.SetMac} of those NICs: a start does not
     * apply their pending MAC (the domain booted with the refused one, not with the pending one), and no
     * pending MAC of theirs is written into the definition; null when nothing of the step is left.
     */
    private static SyncStep withoutRefused(SyncStep step, Set<String> refusedMac) {
        if (refusedMac.isEmpty()) {
            return step;
        }
        return switch (step) {
            case SyncStep.Start s -> {
                Set<String> apply = new HashSet<>(s.applyPending());
                apply.removeAll(refusedMac);
                yield new SyncStep.Start(s.vm(), Set.copyOf(apply));
            }
            case SyncStep.DefineMac s when refusedMac.contains(s.nic()) -> null;
            default -> step;
        };
    }

    private void apply(SyncStep step, DomainWriter writer) {
        switch (step) {
            case SyncStep.CreateVm s -> inventory.create(s.vm(), null, s.nics());
            case SyncStep.AddNic s -> inventory.addNic(s.vm(), s.nic());
            case SyncStep.RemoveNic s -> inventory.removeNic(s.vm(), s.nic());
            case SyncStep.SetMac s -> inventory.setMac(s.vm(), s.nic(), s.mac());
            case SyncStep.Start s -> inventory.start(s.vm(), s.applyPending());
            case SyncStep.Stop s -> inventory.stop(s.vm());
            case SyncStep.DeleteVm s -> inventory.delete(s.vm());
            case SyncStep.DefineMac s -> {
                if (writer != null) {
                    writer.write(s);
                }
            }
        }
    }

    private static MacAddress macOf(SyncStep step) {
        return switch (step) {
            case SyncStep.AddNic s -> s.nic().mac();
            case SyncStep.SetMac s -> s.mac();
            default -> null;
        };
    }

    private static String nicOf(SyncStep step) {
        return switch (step) {
            case SyncStep.AddNic s -> s.nic().name();
            case SyncStep.SetMac s -> s.nic();
            case SyncStep.RemoveNic s -> s.nic();
            case SyncStep.DefineMac s -> s.nic();
            default -> null;
        };
    }
}
