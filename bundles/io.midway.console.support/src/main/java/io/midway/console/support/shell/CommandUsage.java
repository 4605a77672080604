package io.midway.console.support.shell;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;

/**
 * The usage of a Gogo command, made from its methods and their {@link Descriptor}s, for the
 * answer to wrong arguments.
 *
 * <p>Gogo 1.1 picks the overload of a command function whose parameters the arguments can be
 * coerced to, preferring exact ones; when none fits it throws "Cannot coerce …" at the operator.
 * A command class therefore adds, per function, a catch-all overload taking {@code String...}:
 * Gogo chooses it only when no real overload fits (a word where a number belongs, too many
 * arguments), and it returns {@link #of}:
 *
 * <pre>
 * &#64;Descriptor("wrong arguments: prints the usage")
 * public String pause(String... wrong) {
 *     return CommandUsage.of(this, "mid", "pause", wrong);
 * }
 * </pre>
 */
public final class CommandUsage {

    private CommandUsage() {
    }

    /**
     * @param commands the command object
     * @param scope the command scope, e.g. {@code mid}
     * @param function the function name, e.g. {@code pause}
     * @param given the arguments given
     * @return what was wrong and every correct form with its description
     */
    public static String of(Object commands, String scope, String function, String... given) {
        String name = scope + ":" + function;
        StringBuilder out = new StringBuilder();
        out.append(name).append(": wrong arguments");
        if (given != null && given.length > 0) {
            out.append(" '").append(String.join(" ", given)).append('\'');
        }
        out.append(System.lineSeparator()).append("usage:").append(System.lineSeparator());
        for (Method m : forms(commands.getClass(), function)) {
            String form = form(name, m);
            Descriptor d = m.getAnnotation(Descriptor.class);
            out.append(String.format("  %-36s %s%n", form, d == null ? "" : d.value()));
        }
        return out.toString();
    }

    /** @return the real overloads of the function (not the catch-all), fewest typed parameters first */
    static List<Method> forms(Class<?> type, String function) {
        List<Method> forms = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getName().equals(function) && Modifier.isPublic(m.getModifiers()) && !isCatchAll(m)) {
                forms.add(m);
            }
        }
        forms.sort(Comparator.comparingLong(CommandUsage::typedParameters).thenComparing(Method::toString));
        return forms;
    }

    /** @return the parameters an operator types (the session is not one) */
    private static long typedParameters(Method m) {
        return Arrays.stream(m.getParameterTypes()).filter(t -> !CommandSession.class.isAssignableFrom(t)).count();
    }

    /**
     * @param m a method
     * @return whether it is a catch-all overload: one {@code String...} parameter
     */
    public static boolean isCatchAll(Method m) {
        return m.isVarArgs() && Arrays.equals(m.getParameterTypes(), new Class<?>[] {String[].class});
    }

    private static String form(String name, Method m) {
        StringBuilder form = new StringBuilder(name);
        Class<?>[] types = m.getParameterTypes();
        Annotation[][] annotations = m.getParameterAnnotations();
        for (int i = 0; i < types.length; i++) {
            if (CommandSession.class.isAssignableFrom(types[i])) {
                continue;
            }
            String label = types[i].getSimpleName().toLowerCase(java.util.Locale.ROOT);
            for (Annotation a : annotations[i]) {
                if (a instanceof Descriptor d) {
                    label = d.value();
                }
            }
            form.append(" <").append(label).append('>');
        }
        return form.toString();
    }
}
