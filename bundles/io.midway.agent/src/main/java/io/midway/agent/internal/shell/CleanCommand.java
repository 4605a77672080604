package io.midway.agent.internal.shell;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.agent.internal.cleaner.CleanerText;
import io.midway.api.cleaner.FileCleaner;
import io.midway.console.support.shell.CommandUsage;

/**
 * {@code mid:clean}: runs the File Cleaner now (even when it is switched off) and prints what it
 * removed.
 */
@Component(service = CleanCommand.class, property = {
    "osgi.command.scope=mid",
    "osgi.command.function=clean",
})
public class CleanCommand {

    private final FileCleaner cleaner;

    /**
     * @param cleaner the File Cleaner
     */
    @Activate
    public CleanCommand(@Reference(name = "cleaner") FileCleaner cleaner) {
        this.cleaner = cleaner;
    }

    /** @return each file removed and a summary */
    @Descriptor("run the File Cleaner now: remove unused files older than the maximum age from the data folder "
            + "(rotated logs beyond the count, handled spool leftovers, unused cached jars, old cores)")
    public String clean() {
        return CleanerText.run(cleaner.runNow());
    }

    /**
     * @param wrong the arguments given
     * @return the usage
     */
    @Descriptor("wrong arguments: prints the usage")
    public String clean(String... wrong) {
        return CommandUsage.of(this, "mid", "clean", wrong);
    }
}
