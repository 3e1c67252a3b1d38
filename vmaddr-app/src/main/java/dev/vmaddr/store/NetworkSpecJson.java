package dev.vmaddr.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientAccess;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.LeaseKey;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import java.io.IOException;
import java.util.function.Function;

/**
 * {@link NetworkSpec} as every store back end keeps it: addresses, prefixes and ranges as their
 * usual text, durations as ISO-8601, so an operator can read it in the embedded log's snapshots and
 * query it in PostgreSQL's {@code networks.spec} (jsonb). One format, so both back ends agree.
 */
public final class NetworkSpecJson {
    private static final ObjectMapper MAPPER = mapper();

    private NetworkSpecJson() {}

    public static String write(NetworkSpec spec) {
        try {
            return MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("network " + spec.name() + " cannot be written as JSON", e);
        }
    }

    public static NetworkSpec read(String json) {
        try {
            return MAPPER.readValue(json, NetworkSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored network is not a network definition: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectMapper mapper() {
        SimpleModule m = new SimpleModule("vmaddr-network-spec");
        text(m, Ipv4Address.class, Ipv4Address::parse, Object::toString);
        text(m, Ipv4Prefix.class, Ipv4Prefix::parse, Object::toString);
        text(m, Ipv4Range.class, Ipv4Range::parse, Object::toString);
        text(m, Ipv6Prefix.class, Ipv6Prefix::parse, Object::toString);
        text(m, Ipv6Address.class, Ipv6Address::parse, Object::toString);
        text(m, Ipv6Range.class, Ipv6Range::parse, Object::toString);
        text(m, Duid.class, Duid::parse, Object::toString);
        text(m, Ipv6Mode.class, Ipv6Mode::fromWireName, Ipv6Mode::wireName);
        text(m, MacAddress.class, MacAddress::parse, Object::toString);
        text(m, ClientId.class, ClientId::parse, Object::toString);
        text(m, ReleasePolicy.class, ReleasePolicy::fromWireName, ReleasePolicy::wireName);
        text(m, ClientAccess.class, ClientAccess::fromWireName, ClientAccess::wireName);
        text(m, LeaseKey.class, LeaseKey::fromWireName, LeaseKey::wireName);
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .registerModule(m)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static <T> void text(SimpleModule m, Class<T> type, Function<String, T> parse, Function<T, String> format) {
        m.addSerializer(type, new JsonSerializer<T>() {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(format.apply(value));
            }
        });
        m.addDeserializer(type, new JsonDeserializer<T>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return parse.apply(p.getValueAsString());
            }
        });
    }
}
