package dev.vmaddr.libvirt;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.log.LogEvents;
import java.io.StringReader;
import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Writes a pending MAC into a shut-off domain's persistent definition (seed 000: "change it in the
 * management UI, then restart"): {@code virsh dumpxml --inactive}, the interface's
 * {@code <mac address>} replaced, {@code virsh define}. Never while the domain runs: its state is
 * asked right before, and the interface must still carry the MAC the plan saw, or nothing is
 * written (the next pass plans again). Should the domain start between that check and the define,
 * libvirt keeps the new definition for the next start and the running domain keeps its MAC; the
 * sync then starts the VM without applying the pending MAC (it was not booted with it).
 */
public final class DomainMacWriter implements SyncApplier.DomainWriter {
    private static final Logger LOG = LoggerFactory.getLogger(DomainMacWriter.class);

    private final Virsh virsh;

    public DomainMacWriter(Virsh virsh) {
        this.virsh = virsh;
    }

    @Override
    public void write(SyncStep.DefineMac step) {
        String state = virsh.state(step.vm());
        if (!Domain.SHUT_OFF.equals(state)) {
            throw new LibvirtException("domain " + step.vm() + " is " + state + ": its MAC is changed only while shut off");
        }
        String xml = withMac(virsh.inactiveXml(step.vm()), step.interfaceIndex(), step.from(), step.to());
        virsh.define(xml);
        LOG.info(LogEvents.LIBVIRT_DOMAIN_MAC_DEFINED + " vm={} nic={} old={} mac={}", step.vm(), step.nic(), step.from(), step.to());
    }

    /** The definition with interface {@code index} (domain order) carrying {@code to} instead of {@code from}. */
    static String withMac(String xml, int index, MacAddress from, MacAddress to) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Document doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
            Element devices = child(doc.getDocumentElement(), "devices", 0);
            Element iface = devices == null ? null : child(devices, "interface", index);
            if (iface == null) {
                throw new LibvirtException("the definition has no interface " + index);
            }
            Element mac = child(iface, "mac", 0);
            String now = mac == null ? null : mac.getAttribute("address");
            if (now == null || !from.equals(MacAddress.parse(now))) {
                throw new LibvirtException("interface " + index + " carries " + now + ", not " + from + " any more");
            }
            mac.setAttribute("address", to.toString());
            var t = TransformerFactory.newInstance();
            t.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            t.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            var out = t.newTransformer();
            out.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter w = new StringWriter();
            out.transform(new DOMSource(doc), new StreamResult(w));
            return w.toString();
        } catch (LibvirtException e) {
            throw e;
        } catch (Exception e) {
            throw new LibvirtException("cannot edit the definition: " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name, int nth) {
        int seen = 0;
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name) && seen++ == nth) {
                return e;
            }
        }
        return null;
    }
}
