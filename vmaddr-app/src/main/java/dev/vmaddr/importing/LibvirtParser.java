package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
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
 * libvirt network XML ({@code virsh net-dumpxml}): the {@code <host mac= name= ip=/>} entries of
 * {@code <ip><dhcp>} become reservations. SAX rather than DOM so that each host's errors name its
 * line; no DTDs and no external entities (the file is the operator's, the parser still refuses to
 * fetch anything).
 */
final class LibvirtParser implements SourceParser {
    @Override
    public void parse(String file, BufferedReader in, Instant now, ImportData out) throws IOException {
        Handler h = new Handler(file, out);
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            SAXParser p = f.newSAXParser();
            p.parse(new InputSource(in), h);
        } catch (SAXParseException e) {
            throw new ImportFormatException(file, e.getLineNumber(), "not XML: " + e.getMessage());
        } catch (SAXException | ParserConfigurationException e) {
            throw new ImportFormatException(file, 0, "not XML: " + e.getMessage());
        }
        if (!h.sawNetwork) {
            throw new ImportFormatException(file, 1, "no <network> element: not a libvirt network definition");
        }
    }

    private static final class Handler extends DefaultHandler {
        private final String file;
        private final ImportData out;
        private Locator locator;
        private boolean sawNetwork;
        private int depthInDhcp = -1;
        private int depth;
        private boolean ipv6Dhcp;

        Handler(String file, ImportData out) {
            this.file = file;
            this.out = out;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes a) {
            depth++;
            int line = locator == null ? 0 : locator.getLineNumber();
            switch (qName) {
                case "network" -> {
                    if (depth == 1) {
                        sawNetwork = true;
                    }
                }
                case "ip" -> ipv6Dhcp = "ipv6".equals(a.getValue("family")) || (a.getValue("address") != null
                        && a.getValue("address").contains(":"));
                case "dhcp" -> depthInDhcp = depth;
                case "host" -> {
                    if (depthInDhcp > 0) {
                        host(a, line);
                    }
                }
                default -> {
                    // bridge, forward, domain, dns, range, bootp...: not reservations
                }
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            if (qName.equals("dhcp")) {
                depthInDhcp = -1;
            }
            depth--;
        }

        private void host(Attributes a, int line) {
            String ipText = a.getValue("ip");
            String macText = a.getValue("mac");
            String idText = a.getValue("id");
            String name = a.getValue("name");
            if (ipv6Dhcp || ipText != null && ipText.contains(":")) {
                out.note(file + ":" + line + ": IPv6 host " + (name != null ? name : ipText) + " left out");
                return;
            }
            if (ipText == null) {
                out.note(file + ":" + line + ": host without ip left out (a name only is not a reservation)");
                return;
            }
            MacAddress mac = macText == null ? null : Fields.mac(macText, "host mac", file, line);
            ClientId id = idText == null ? null : Fields.hexClientId(idText, "host id", file, line);
            if (mac == null && id == null) {
                throw new ImportFormatException(file, line, "<host> needs a mac or an id");
            }
            Ipv4Address ip = Fields.ip(ipText, "host ip", file, line);
            out.host(new ImportedHost(mac, id, ip, name));
        }
    }
}
