package dev.vmaddr.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.model.LeaseState;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalogue is the only place event names are spelled, every name follows the one separator
 * convention, and every name is logged somewhere (a name nothing logs is a stale entry).
 */
class LogEventsTest {
    private static final Path MAIN = Path.of("src/main/java/dev/vmaddr");
    private static final Path CATALOGUE = MAIN.resolve("log/LogEvents.java");
    private static final Pattern NAME = Pattern.compile("event=[a-z]+(_[a-z]+)*(\\.[a-z]+(_[a-z]+)*)+");

    private static List<Field> constants() {
        List<Field> out = new ArrayList<>();
        for (Field f : LogEvents.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void namesFollowTheConventionAndAreUnique() throws Exception {
        Set<String> seen = new HashSet<>();
        assertThat(constants()).hasSizeGreaterThan(50);
        for (Field f : constants()) {
            String value = (String) f.get(null);
            assertThat(value).as(f.getName()).matches(NAME);
            assertThat(f.getName()).as("constant named after its event")
                    .isEqualTo(value.substring("event=".length()).replace('.', '_').toUpperCase());
            assertThat(seen.add(value)).as("unique: " + value).isTrue();
        }
    }

    @Test
    void noSourceFileSpellsAnEventNameItself() throws IOException {
        Pattern literal = Pattern.compile("\"event=");
        List<String> offenders = new ArrayList<>();
        for (Path p : sources()) {
            if (p.endsWith(CATALOGUE)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) {
                if (literal.matcher(lines.get(i)).find()) {
                    offenders.add(p + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(offenders).as("use a LogEvents constant").isEmpty();
    }

    @Test
    void everyNameIsLoggedSomewhere() throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path p : sources()) {
            if (!p.endsWith(CATALOGUE)) {
                all.append(Files.readString(p));
            }
        }
        String catalogue = Files.readString(CATALOGUE);
        List<String> unused = new ArrayList<>();
        for (Field f : constants()) {
            Matcher inSwitch = Pattern.compile("-> " + f.getName() + ";").matcher(catalogue);
            if (!all.toString().contains("LogEvents." + f.getName()) && !inSwitch.find()) {
                unused.add(f.getName());
            }
        }
        assertThat(unused).isEmpty();
    }

    @Test
    void everyLeaseStateHasItsEvent() {
        for (LeaseState s : LeaseState.values()) {
            assertThat(LogEvents.lease(s)).isEqualTo("event=lease." + s.wireName());
        }
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }
}
