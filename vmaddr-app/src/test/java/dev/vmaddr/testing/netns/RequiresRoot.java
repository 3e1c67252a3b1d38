package dev.vmaddr.testing.netns;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class or method only as root with iproute2 installed, i.e. where
 * {@link NetnsLab} can work; elsewhere it is reported as skipped with the reason. CI runs as root.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresRootCondition.class)
public @interface RequiresRoot {
}
