package io.regionkv.server;

import com.google.protobuf.ByteString;
import io.regionkv.client.KvPair;
import io.regionkv.proto.Metapb.Peer;
import io.regionkv.proto.Metapb.PeerRole;
import io.regionkv.proto.Metapb.Region;
import io.regionkv.scheduler.SchedulerReply;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The command loop of {@code regionkv local}: one command a line from a reader, answers to a print
 * stream. Works the same typed by a person (with a {@code > } prompt) and piped from a file (without),
 * so that a script's output is exactly the answers. A failed command prints {@code ERR <reason>} and the
 * loop goes on; the count of failures is returned so that a caller can turn it into an exit status.
 *
 * <p>Text is UTF-8: keys and values are encoded as UTF-8 bytes, and stored bytes are decoded as UTF-8
 * when printed (give it a UTF-8 print stream).
 */
public final class LocalShell {

    /** How many pairs a scan prints when the command gives no limit. */
    static final int DEFAULT_SCAN_LIMIT = 100;

    static final String HELP = String.join("\n",
            "commands, one a line (KEY and VALUE are UTF-8 text; a KEY has no spaces):",
            "  put KEY VALUE           store VALUE, the rest of the line with its spaces, under KEY; prints OK",
            "  get KEY                 print the value of KEY, or (nil) when it has none",
            "  delete KEY              remove KEY; prints OK (also when KEY had no value)",
            "  scan START END [LIMIT]  print 'KEY VALUE' for each START <= KEY < END in key order, then (N keys);",
            "                          \"\" as START means from the first key, \"\" as END up to the last;",
            "                          LIMIT (default " + DEFAULT_SCAN_LIMIT + ") caps the number of keys",
            "  status                  nodes, regions and leaders of the cluster",
            "  regions                 one line per region: id, [start, end), leader store, voter and learner stores",
            "  split KEY               split the region holding KEY at KEY; prints OK",
            "  stores                  one line per store: id, state (Up, Disconnected, Down), regions and leaders",
            "  transfer-leader REGION STORE  move region REGION's leadership to its replica on STORE; prints OK",
            "  add-peer REGION STORE   add a replica of REGION on STORE (a learner, promoted when caught up); OK",
            "  remove-peer REGION STORE  remove REGION's replica on STORE (its leader hands over first); OK",
            "  help                    this text",
            "  quit                    leave (also: exit, or the end of the input)",
            "blank lines and lines starting with # are skipped; a failed command prints ERR <reason>");

    private final BufferedReader in;
    private final PrintStream out;
    private final ShellBackend backend;
    private final boolean prompt;
    private final Duration commandTimeout;

    /**
     * @param prompt print {@code > } before each line; pass {@code System.console() != null} so that a
     *               person sees a prompt and a piped script does not
     */
    public LocalShell(BufferedReader in, PrintStream out, ShellBackend backend, boolean prompt) {
        this(in, out, backend, prompt, Duration.ofMinutes(1));
    }

    /**
     * @param commandTimeout the longest the shell waits for one answer; the client's own deadline is
     *                       normally shorter, so this only guards against a backend that never answers
     */
    public LocalShell(BufferedReader in, PrintStream out, ShellBackend backend, boolean prompt,
            Duration commandTimeout) {
        this.in = in;
        this.out = out;
        this.backend = backend;
        this.prompt = prompt;
        this.commandTimeout = commandTimeout;
    }

    /** Runs until {@code quit} or the end of the input; answers how many commands failed. */
    public int run() throws IOException {
        int failures = 0;
        while (true) {
            if (prompt) {
                out.print("> ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null) {
                if (prompt) out.println();
                break;
            }
            Tokens tokens = new Tokens(line);
            String command = tokens.next();
            if (command == null || command.startsWith("#")) {
                continue;
            }
            command = command.toLowerCase(Locale.ROOT);
            if (command.equals("quit") || command.equals("exit")) {
                break;
            }
            try {
                execute(command, tokens);
            } catch (CommandException e) {
                out.println("ERR " + e.getMessage());
                failures++;
            }
            out.flush();
        }
        out.flush();
        return failures;
    }

    private void execute(String command, Tokens tokens) throws CommandException {
        switch (command) {
            case "put" -> {
                String key = tokens.next();
                String value = tokens.rest();
                if (key == null || value == null) throw new CommandException("usage: put KEY VALUE");
                await(() -> backend.put(keyBytes(key), ByteString.copyFromUtf8(value)));
                out.println("OK");
            }
            case "get" -> {
                String key = single(tokens, "usage: get KEY");
                Optional<ByteString> value = await(() -> backend.get(keyBytes(key)));
                out.println(value.map(ByteString::toStringUtf8).orElse("(nil)"));
            }
            case "delete" -> {
                String key = single(tokens, "usage: delete KEY");
                await(() -> backend.delete(keyBytes(key)));
                out.println("OK");
            }
            case "scan" -> scan(tokens);
            case "status" -> {
                noMore(tokens, "usage: status");
                out.println(call(backend::status));
            }
            case "regions" -> {
                noMore(tokens, "usage: regions");
                List<SchedulerReply.RegionInfo> regions = await(backend::regions);
                for (SchedulerReply.RegionInfo r : regions) out.println(regionLine(r));
                out.println("(" + regions.size() + " regions)");
            }
            case "split" -> {
                String key = single(tokens, "usage: split KEY");
                await(() -> backend.split(keyBytes(key)));
                out.println("OK");
            }
            case "stores" -> {
                noMore(tokens, "usage: stores");
                List<SchedulerReply.StoreInfo> stores = await(backend::stores);
                for (SchedulerReply.StoreInfo st : stores) out.println(storeLine(st));
                out.println("(" + stores.size() + " stores)");
            }
            case "transfer-leader" -> {
                long[] ids = regionAndStore(tokens, "usage: transfer-leader REGION STORE");
                await(() -> backend.transferLeader(ids[0], ids[1]));
                out.println("OK");
            }
            case "add-peer" -> {
                long[] ids = regionAndStore(tokens, "usage: add-peer REGION STORE");
                await(() -> backend.addPeer(ids[0], ids[1]));
                out.println("OK");
            }
            case "remove-peer" -> {
                long[] ids = regionAndStore(tokens, "usage: remove-peer REGION STORE");
                await(() -> backend.removePeer(ids[0], ids[1]));
                out.println("OK");
            }
            case "help" -> out.println(HELP);
            default -> throw new CommandException("unknown command '" + command + "' (try help)");
        }
    }

    private void scan(Tokens tokens) throws CommandException {
        String usage = "usage: scan START END [LIMIT]";
        String start = tokens.next();
        String end = tokens.next();
        String limitText = tokens.next();
        if (start == null || end == null) throw new CommandException(usage);
        noMore(tokens, usage);
        int limit = DEFAULT_SCAN_LIMIT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 0) throw new CommandException("LIMIT must be a whole number >= 0, was '" + limitText + "'");
        }
        int max = limit;
        List<KvPair> pairs = await(() -> backend.scan(keyBytes(start), keyBytes(end), max));
        for (KvPair p : pairs) {
            out.println(p.key().toStringUtf8() + " " + p.value().toStringUtf8());
        }
        out.println("(" + pairs.size() + " keys)");
    }

    /** {@code region ID [START, END) leader=STORE voters=A,B,C learners=D}: stores, not peer ids. */
    static String regionLine(SchedulerReply.RegionInfo info) {
        Region r = info.region();
        List<String> voters = new ArrayList<>();
        List<String> learners = new ArrayList<>();
        for (Peer p : r.getPeersList()) {
            (p.getRole() == PeerRole.Learner ? learners : voters).add(Long.toString(p.getStoreId()));
        }
        return "region " + r.getId() + " [" + r.getStartKey().toStringUtf8() + ", " + r.getEndKey().toStringUtf8()
                + ") leader=" + info.leader().map(p -> Long.toString(p.getStoreId())).orElse("?")
                + " voters=" + String.join(",", voters) + " learners=" + String.join(",", learners);
    }

    /** {@code store ID STATE regions=N leaders=M}. */
    static String storeLine(SchedulerReply.StoreInfo s) {
        return "store " + s.storeId() + " " + s.state() + " regions=" + s.regionCount() + " leaders=" + s.leaderCount();
    }

    /** Two positive whole numbers: a region id and a store id. */
    private static long[] regionAndStore(Tokens tokens, String usage) throws CommandException {
        String region = tokens.next();
        String store = tokens.next();
        if (region == null || store == null) throw new CommandException(usage);
        noMore(tokens, usage);
        return new long[] {positive("REGION", region), positive("STORE", store)};
    }

    private static long positive(String what, String text) throws CommandException {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v <= 0) throw new CommandException(what + " must be a whole number > 0, was '" + text + "'");
        return v;
    }

    /** {@code ""} stands for the empty key, the only way to type one (for scan: unbounded). */
    private static ByteString keyBytes(String token) {
        return token.equals("\"\"") ? ByteString.EMPTY : ByteString.copyFromUtf8(token);
    }

    private static String single(Tokens tokens, String usage) throws CommandException {
        String key = tokens.next();
        if (key == null) throw new CommandException(usage);
        noMore(tokens, usage);
        return key;
    }

    private static void noMore(Tokens tokens, String usage) throws CommandException {
        if (tokens.next() != null) throw new CommandException(usage);
    }

    /** Runs a backend call and waits for its answer; whatever goes wrong becomes the printed reason. */
    private <T> T await(Supplier<CompletionStage<T>> action) throws CommandException {
        CompletionStage<T> stage = call(action);
        try {
            return stage.toCompletableFuture().get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw new CommandException(reason(e.getCause() == null ? e : e.getCause()));
        } catch (TimeoutException e) {
            throw new CommandException("no answer within " + commandTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted");
        }
    }

    /** Runs a backend call, turning what it throws (bad input, for one) into a printed error. */
    private static <T> T call(Supplier<T> action) throws CommandException {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw new CommandException(reason(e));
        }
    }

    private static String reason(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
    }

    /** A command the shell refuses or the backend fails; its message is the reason printed. */
    private static final class CommandException extends Exception {
        private static final long serialVersionUID = 1L;

        CommandException(String reason) {
            super(reason);
        }
    }

    /** Splits a line at runs of whitespace, and can hand out the rest of the line verbatim. */
    private static final class Tokens {
        private final String line;
        private int pos;

        Tokens(String line) {
            this.line = line;
        }

        /** The next word, or null at the end of the line. */
        String next() {
            skipSpace();
            if (pos >= line.length()) return null;
            int from = pos;
            while (pos < line.length() && !Character.isWhitespace(line.charAt(pos))) pos++;
            return line.substring(from, pos);
        }

        /** Everything after the separating whitespace, spaces inside and at the end kept; null if nothing. */
        String rest() {
            skipSpace();
            if (pos >= line.length()) return null;
            String r = line.substring(pos);
            pos = line.length();
            return r;
        }

        private void skipSpace() {
            while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) pos++;
        }
    }
}
