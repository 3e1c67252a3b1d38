package dev.vmaddr.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin's JSON against Jackson's reading of the same text. */
class MiniJsonTest {
    static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void readsAndWritesWhatJacksonReadsAlike() throws Exception {
        String text = "{\"cniVersion\":\"1.0.0\",\"n\":-12,\"f\":1.5e3,\"t\":true,\"z\":null,\"s\":\"a\\\"b\\\\c\\n\\u00e9\\/\","
                + "\"l\":[1,[],{}],\"o\":{\"k\":[\"x\"]}}";
        Object mine = MiniJson.parse(text);

        assertThat(JACKSON.readTree(MiniJson.write(mine))).isEqualTo(JACKSON.readTree(text));
        assertThat(((Map<?, ?>) mine).get("s")).isEqualTo("a\"b\\c\né/");
        assertThat(((Map<?, ?>) mine).get("l")).isEqualTo(List.of(1L, List.of(), Map.of()));
        assertThat(MiniJson.write(Map.of("c", "\u0001"))).isEqualTo("{\"c\":\"\\u0001\"}");
    }

    @Test
    void malformedInputIsRefusedWithTheOffset() {
        assertThatThrownBy(() -> MiniJson.parse("{\"a\":1,}")).hasMessageContaining("offset");
        assertThatThrownBy(() -> MiniJson.parse("{\"a\" 1}")).hasMessageContaining("expected ':'");
        assertThatThrownBy(() -> MiniJson.parse("[1] x")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> MiniJson.parse("\"open")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> MiniJson.parse("[".repeat(100))).hasMessageContaining("nested deeper");
    }
}
