package dev.vmaddr.vm.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Runs libvirt's own schema check ({@code virt-xml-validate}, Debian libvirt-clients + libxml2-utils), and
 * libvirt's own parser: {@code virsh -c test:///default} (the in-process test driver, no daemon) defines
 * the XML as libvirt would on a host.
 */
final class VirtXmlValidate {
    private VirtXmlValidate() {}

    static void assertValid(Path dir, String xml, String schema) throws Exception {
        Path file = Files.createTempFile(dir, schema, ".xml");
        Files.writeString(file, xml);
        Process p = new ProcessBuilder("virt-xml-validate", file.toString(), schema).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("virt-xml-validate finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("virt-xml-validate %s %s:\n%s\n%s", file, schema, out, xml).isZero();
    }

    /**
     * Defines the networks, then the domains, in one {@code virsh -c test:///default} session (the test
     * driver's state lives only as long as the virsh process) and returns virsh's output.
     */
    static String assertDefines(Path dir, java.util.List<String> networks, java.util.List<String> domains) throws Exception {
        StringBuilder script = new StringBuilder();
        for (String xml : networks) {
            Path file = Files.createTempFile(dir, "network", ".xml");
            Files.writeString(file, xml);
            script.append("net-define ").append(file).append("; ");
        }
        for (String xml : domains) {
            Path file = Files.createTempFile(dir, "domain", ".xml");
            Files.writeString(file, xml);
            script.append("define ").append(file).append("; ");
        }
        script.append("net-list --all; list --all");
        Process p = new ProcessBuilder("virsh", "-c", "test:///default", script.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("virsh finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("virsh %s:\n%s\n%s\n%s", script, out, networks, domains).isZero();
        assertThat(out).doesNotContain("error:");
        return out;
    }

    /** A minimal valid domain around an exported {@code <devices>} element. */
    static String inDomain(String devicesXml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document devices = f.newDocumentBuilder().parse(new ByteArrayInputStream(devicesXml.getBytes(StandardCharsets.UTF_8)));
        Document doc = f.newDocumentBuilder().newDocument();
        Element domain = doc.createElement("domain");
        domain.setAttribute("type", "kvm");
        doc.appendChild(domain);
        Element name = doc.createElement("name");
        name.setTextContent("t");
        domain.appendChild(name);
        Element memory = doc.createElement("memory");
        memory.setAttribute("unit", "MiB");
        memory.setTextContent("256");
        domain.appendChild(memory);
        Element os = doc.createElement("os");
        Element type = doc.createElement("type");
        type.setAttribute("arch", "x86_64");
        type.setTextContent("hvm");
        os.appendChild(type);
        domain.appendChild(os);
        domain.appendChild(doc.importNode(devices.getDocumentElement(), true));
        StringWriter out = new StringWriter();
        TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(out));
        return out.toString();
    }
}
