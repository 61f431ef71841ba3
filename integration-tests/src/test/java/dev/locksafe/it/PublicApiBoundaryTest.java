package dev.locksafe.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code dev.locksafe.internal} is the engine, free to change in any release: only the facade that owns it
 * ({@code dev.locksafe}) and the ZDD check released in the same jar ({@code dev.locksafe.check}, which has the
 * engine read the migration's locks in the engine's own round trip) may use it, and nothing a user can call,
 * extend or receive is one of its types. The adapters are held to the public API a third-party integration
 * would have.
 */
class PublicApiBoundaryTest {

    private static final String INTERNAL = "dev.locksafe.internal..";
    private static final String[] API = {"dev.locksafe", "dev.locksafe.check", "dev.locksafe.metrics"};

    private static JavaClasses locksafe;

    @BeforeAll
    static void importLockSafe() {
        locksafe = new ClassFileImporter().importPackages("dev.locksafe");
        // the rules below must see what they judge: the core, both adapters and these tests
        assertThat(locksafe.containPackage("dev.locksafe.internal")).isTrue();
        assertThat(locksafe.containPackage("dev.locksafe.flyway")).isTrue();
        assertThat(locksafe.containPackage("dev.locksafe.liquibase")).isTrue();
    }

    @Test
    void adaptersAndEveryOtherPackageUseOnlyThePublicApi() {
        noClasses().that().resideOutsideOfPackages("dev.locksafe", "dev.locksafe.check", INTERNAL)
                .should().dependOnClassesThat().resideInAPackage(INTERNAL)
                .because("the engine may change in any release; an adapter uses what a third-party integration could")
                .check(locksafe);
    }

    @Test
    void publicApiSignaturesNeverExposeAnInternalType() {
        classes().that().resideInAnyPackage(API).and().arePublic()
                .should(exposeNoTypeOf("dev.locksafe.internal"))
                .check(locksafe);
    }

    @Test
    void theSignatureRuleFailsOnAPublicMethodThatReturnsATypeOfTheGuardedPackage() {
        JavaClasses leaky = new ClassFileImporter().importClasses(Leaky.class);
        assertThatThrownBy(() -> classes().should(exposeNoTypeOf("java.util.zip")).check(leaky))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Leaky.leak()")
                .hasMessageContaining("exposes java.util.zip.CRC32");
    }

    /** A public class whose public method exposes a type of a guarded package, for the rule's own test. */
    public static class Leaky {
        public java.util.zip.CRC32 leak() {
            return null;
        }
    }

    private static ArchCondition<JavaClass> exposeNoTypeOf(String packageName) {
        DescribedPredicate<JavaClass> internal = DescribedPredicate.describe(packageName,
                c -> c.getPackageName().equals(packageName) || c.getPackageName().startsWith(packageName + "."));
        return new ArchCondition<>("expose no type of " + packageName + " in a public or protected signature") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                Stream.concat(Stream.of(type.getRawSuperclass().orElse(null)), type.getRawInterfaces().stream())
                        .filter(c -> c != null && internal.test(c))
                        .forEach(c -> events.add(SimpleConditionEvent.violated(type,
                                type.getName() + " extends " + c.getName())));
                for (JavaCodeUnit unit : type.getCodeUnits()) {
                    if (!visible(unit.getModifiers())) {
                        continue;
                    }
                    List<JavaClass> seen = new ArrayList<>(unit.getRawParameterTypes());
                    seen.add(unit.getRawReturnType());
                    seen.addAll(unit.getExceptionTypes());
                    seen.stream().filter(internal).forEach(c -> events.add(SimpleConditionEvent.violated(unit,
                            unit.getFullName() + " exposes " + c.getName())));
                }
                for (JavaField field : type.getFields()) {
                    if (visible(field.getModifiers()) && internal.test(field.getRawType())) {
                        events.add(SimpleConditionEvent.violated(field,
                                field.getFullName() + " exposes " + field.getRawType().getName()));
                    }
                }
            }
        };
    }

    private static boolean visible(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }
}
