package dev.vmaddr.libvirt;

import dev.vmaddr.addr.AddressFormatException;
import dev.vmaddr.addr.MacAddress;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads a domain definition ({@code virsh dumpxml}, or a file for reconcile): name, uuid, the
 * interfaces in domain order and whether the guest agent channel is there. Everything else in the
 * XML is ignored. A streaming parser, so every message names the line ({@code where:line: ...});
 * DOCTYPEs and external entities are refused (a definition has none, and a file from elsewhere
 * must not make the reader fetch anything).
 */
public final class DomainXml {
    public static final String AGENT_CHANNEL = "org.qemu.guest_agent.0";

    private DomainXml() {}

    /** @param where the file name or {@code virsh dumpxml NAME}, for messages */
    public static Domain parse(String xml, String where, String state) {
        Handler h = new Handler(where);
        try {
            parser().parse(new InputSource(new StringReader(xml)), h);
        } catch (SAXParseException e) {
            throw new LibvirtException(where + ":" + e.getLineNumber() + ": " + e.getMessage(), e);
        } catch (SAXException e) {
            throw new LibvirtException(e.getMessage(), e);
        } catch (IOException e) {
            throw new LibvirtException(where + ": " + e.getMessage(), e);
        }
        if (h.name == null || h.name.isBlank()) {
            throw new LibvirtException(where + ":1: domain has no <name>");
        }
        return new Domain(h.name.strip(), h.uuid == null ? null : h.uuid.strip(), state, h.interfaces, h.agent);
    }

    private static SAXParser parser() {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            return f.newSAXParser();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("no usable XML parser", e);
        }
    }

    private static final class Handler extends DefaultHandler {
        private final String where;
        private final Deque<String> path = new ArrayDeque<>();
        private final List<DomainInterface> interfaces = new ArrayList<>();
        private Locator locator;
        private StringBuilder text;
        private String name;
        private String uuid;
        private boolean agent;
        // the <interface> being read
        private int ifLine;
        private String ifType;
        private MacAddress mac;
        private String bridge;
        private String network;
        private String alias;
        private String model;

        Handler(String where) {
            this.where = where;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes a) throws SAXException {
            String parent = path.peek();
            int depth = path.size();
            path.push(qName);
            if (depth == 0 && !qName.equals("domain")) {
                throw error("expected <domain>, found <" + qName + ">");
            }
            if (depth == 1 && (qName.equals("name") || qName.equals("uuid"))) {
                text = new StringBuilder();
            } else if (depth == 2 && "devices".equals(parent) && qName.equals("interface")) {
                ifLine = locator == null ? 0 : locator.getLineNumber();
                ifType = a.getValue("type");
                mac = null;
                bridge = network = alias = model = null;
            } else if (depth == 3 && "interface".equals(parent) && inDevices()) {
                switch (qName) {
                    case "mac" -> mac = mac(a.getValue("address"));
                    case "source" -> {
                        bridge = a.getValue("bridge");
                        network = a.getValue("network");
                    }
                    case "alias" -> alias = a.getValue("name");
                    case "model" -> model = a.getValue("type");
                    default -> { }
                }
            } else if (depth == 3 && "channel".equals(parent) && inDevices() && qName.equals("target")
                    && AGENT_CHANNEL.equals(a.getValue("name"))) {
                agent = true;
            }
        }

        private boolean inDevices() {
            var it = path.iterator();
            it.next(); // the element itself
            it.next(); // interface or channel
            return it.hasNext() && it.next().equals("devices");
        }

        private MacAddress mac(String text) throws SAXException {
            if (text == null) {
                throw error("<mac> without address");
            }
            try {
                return MacAddress.parse(text);
            } catch (AddressFormatException e) {
                throw error("<mac address='" + text + "'>: " + e.getMessage());
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (text != null) {
                text.append(ch, start, length);
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) throws SAXException {
            path.pop();
            int depth = path.size();
            if (depth == 1 && text != null) {
                if (qName.equals("name")) {
                    name = text.toString();
                } else {
                    uuid = text.toString();
                }
                text = null;
            } else if (depth == 2 && qName.equals("interface") && "devices".equals(path.peek())) {
                if (ifType == null) {
                    throw new SAXException(where + ":" + ifLine + ": <interface> without type");
                }
                interfaces.add(new DomainInterface(mac, ifType, blank(bridge), blank(network), blank(alias), blank(model), ifLine));
            }
        }

        private static String blank(String s) {
            return s == null || s.isBlank() ? null : s;
        }

        private SAXException error(String message) {
            return new SAXException(where + ":" + (locator == null ? 0 : locator.getLineNumber()) + ": " + message);
        }
    }
}
