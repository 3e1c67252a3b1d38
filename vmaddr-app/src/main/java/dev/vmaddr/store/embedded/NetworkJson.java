package dev.vmaddr.store.embedded;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.ClientId;
import dev.vmaddr.ipam.NetworkSpec;
import java.io.IOException;
import java.util.function.Function;

/**
 * Network definitions as JSON in the log and snapshots: addresses in their text form, durations
 * ISO-8601, so a record stays readable and survives new optional fields.
 */
final class NetworkJson {
    private static final ObjectMapper MAPPER = mapper();

    private NetworkJson() {}

    static String write(NetworkSpec spec) {
        try {
            return MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("network " + spec.name() + " cannot be written as JSON", e);
        }
    }

    static NetworkSpec read(String json) {
        try {
            return MAPPER.readValue(json, NetworkSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored network JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectMapper mapper() {
        SimpleModule addresses = new SimpleModule("vmaddr-addresses");
        text(addresses, Ipv4Address.class, Ipv4Address::parse);
        text(addresses, Ipv4Prefix.class, Ipv4Prefix::parse);
        text(addresses, Ipv4Range.class, Ipv4Range::parse);
        text(addresses, Ipv6Prefix.class, Ipv6Prefix::parse);
        text(addresses, MacAddress.class, MacAddress::parse);
        text(addresses, ClientId.class, ClientId::parse);
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(addresses)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static <T> void text(SimpleModule module, Class<T> type, Function<String, T> parse) {
        module.addSerializer(type, ToStringSerializer.instance);
        module.addDeserializer(type, new StdScalarDeserializer<T>(type) {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return parse.apply(p.getValueAsString());
            }
        });
    }
}
