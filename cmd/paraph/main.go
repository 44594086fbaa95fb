// Command paraph is Paraph in one binary: the server (serve, migrate, demo)
// and the instance administrator's commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"paraph"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/notify"
	"paraph/internal/seal"
	"paraph/internal/server"
	"paraph/internal/store"
)

const usage = `Paraph: electronic document exchange and signing.

Usage:
  paraph serve   [flags]   run the server (migrates the database first)
  paraph demo    [flags]   run a development server on a fresh data dir with demo accounts
  paraph migrate [flags]   apply database migrations and exit
  paraph audit verify      check that the audit trail has not been tampered with
  paraph account create --login L --name N   create a confirmed account (asks for the password on stdin)
  paraph account admin --login L [--revoke]  make an account the instance administrator (trusted roots)

Offline:
  paraph verify [--trust roots.pem] FILE SIG   check a detached CMS/CAdES signature (GOST too); exit 0 only when passed

Client commands (talk to a running server):
  paraph login --server URL --login L   log in (password on stdin); the token is kept for the commands below
  paraph login --server URL --cert c.pem --key k.pem   log in with a certificate and its key file
  paraph login --server URL --p12 file.p12             ... from a PKCS #12 file (password: PARAPH_P12_PASSWORD or stdin)
  paraph login --server URL --pkcs11-module LIB --pkcs11-token T --pkcs11-key-label K [--cert c.pem]
                                        ... with a key on a token (PIN: PARAPH_PKCS11_PIN or stdin)
  paraph whoami                         the account and organizations of the saved token
  paraph sign DOC --cert c.pem --key k.pem   sign a document (two-step: the key stays here); exit 0 only when passed
  paraph sign DOC --p12 file.p12 | --pkcs11-module LIB --pkcs11-token T --pkcs11-key-label K
                                        ... with a PKCS #12 file or a key on a token
  paraph sign DOC --cms file.sig        upload a detached CMS signature made elsewhere

Run "paraph COMMAND -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errNotPassed) {
			fmt.Fprintln(os.Stderr, "paraph:", oneLine(err))
		}
		os.Exit(exitCode(err))
	}
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr, false)
	case "demo":
		return serve(ctx, args[1:], stdout, stderr, true)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "audit":
		return audit(ctx, args[1:], stdout, stderr)
	case "account":
		return account(ctx, args[1:], stdin, stdout, stderr)
	case "login":
		return cliLogin(ctx, args[1:], stdin, stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args[1:], stdout, stderr)
	case "whoami":
		return cliWhoami(ctx, stdout)
	case "sign":
		return cliSign(ctx, args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
}

// parseConfig parses a command's flags into a validated Config.
func parseConfig(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*Config, error) {
	fs := flag.NewFlagSet("paraph "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	configFlags(fs, &c)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := c.Validate(); err != nil {
		return nil, usageError{"configuration: " + err.Error()}
	}
	return &c, nil
}

func newLogger(c *Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens and migrates the database of a configuration.
func openStore(ctx context.Context, c *Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, c.DatabaseDSN())
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "file", m)
	}
	return db, nil
}

// openService opens the database and the use cases for an administrator's
// command; close releases the database.
func openService(ctx context.Context, c *Config, stderr io.Writer) (svc *core.Service, close func(), err error) {
	log := newLogger(c, stderr)
	db, err := openStore(ctx, c, log)
	if err != nil {
		return nil, nil, err
	}
	if svc, err = newService(ctx, c, db, log, nil); err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

// newService builds the use cases; sealer seals final PDFs (nil for the
// administrator's commands, which make none).
func newService(ctx context.Context, c *Config, db *store.DB, log *slog.Logger, sealer *seal.Sealer) (*core.Service, error) {
	blobs, err := blob.NewDir(filepath.Join(c.Data, "blobs"))
	if err != nil {
		return nil, err
	}
	svc, err := core.New(ctx, db, paraph.SystemClock{}, log, core.Config{Dev: c.Dev, BaseURL: c.BaseURL,
		TrustRootFiles: c.TrustRoots, CheckRevocation: c.CheckCRL, Blobs: blobs, MaxDocumentSize: int64(c.MaxDocMiB) << 20,
		Seal: sealer})
	if err != nil {
		return nil, usageError{"configuration: " + err.Error()}
	}
	return svc, nil
}

// senders builds the message delivery of a configuration.
func senders(c *Config, log *slog.Logger) (notify.Sender, error) {
	var mux notify.Mux
	if c.SMTPURL != "" {
		s, err := notify.NewSMTP(c.SMTPURL, c.SMTPFrom)
		if err != nil {
			return nil, err
		}
		mux.Email = s
	}
	if c.SMSURL != "" {
		g, err := notify.NewSMSGateway(c.SMSURL, c.SMSToken, nil)
		if err != nil {
			return nil, err
		}
		mux.SMS = g
	}
	if c.Dev {
		// In development a channel without a real sender is delivered to the
		// dev mailbox only (core keeps the copy), never dropped with an error.
		if mux.Email == nil {
			mux.Email = notify.Discard{}
		}
		if mux.SMS == nil {
			mux.SMS = notify.Discard{}
		}
	} else if mux.Email == nil && mux.SMS == nil {
		log.Warn("no PARAPH_SMTP_URL or PARAPH_SMS_URL: confirmation codes cannot be delivered; use --dev to see them at /dev/mailbox")
	}
	return mux, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
		args = withDemoDefaults(args)
	}
	c, err := parseConfig(name, args, stderr, nil)
	if err != nil {
		return err
	}
	if demo {
		c.Dev = true
	}
	log := newLogger(c, stderr)
	// Senders first: a bad SMTP or SMS URL stops the start before anything
	// is created on disk.
	sender, err := senders(c, log)
	if err != nil {
		return usageError{"configuration: " + err.Error()}
	}
	// The seal too: made in the data directory on first start, or opened
	// from the configured files or token.
	sealer, closeSeal, err := openSeal(ctx, c)
	if err != nil {
		return err
	}
	defer closeSeal()
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := newService(ctx, c, db, log, sealer)
	if err != nil {
		return err
	}
	srv, err := server.New(db, svc, log, server.Options{Addr: c.Addr, BaseURL: c.BaseURL, Dev: c.Dev,
		TrustProxy: c.TrustProxy, Workers: c.Workers, Sender: sender})
	if err != nil {
		return err
	}
	if demo {
		if err := seedDemo(ctx, svc, c.Data); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return srv.Run(ctx, func(addr string) {
		log.Info("listening", "addr", addr, "database", db.Dialect(), "source", db.Source(), "dev", c.Dev)
		if demo {
			printDemo(stdout, c)
		}
	})
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseConfig("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database %s (%s) is up to date\n", db.Source(), db.Dialect())
	return nil
}

func audit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"usage: paraph audit verify [flags]"}
	}
	c, err := parseConfig("audit verify", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	svc, closeDB, err := openService(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	n, err := svc.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("audit trail broken after %d good events: %w", n, err)
	}
	fmt.Fprintf(stdout, "audit trail intact: %d events\n", n)
	return nil
}

func account(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "admin" {
		return accountAdmin(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: paraph account create --login L --name N [flags] < password, or paraph account admin --login L"}
	}
	var login, name, lang string
	c, err := parseConfig("account create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "email or phone")
		fs.StringVar(&name, "name", "", "full name")
		fs.StringVar(&lang, "language", "ru", "ru, uk or en")
	})
	if err != nil {
		return err
	}
	pw, err := io.ReadAll(io.LimitReader(stdin, 1024))
	if err != nil {
		return err
	}
	svc, closeDB, err := openService(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	a, err := svc.CreateActiveAccount(ctx, core.Registration{Login: login, FullName: name, Language: lang,
		Password: strings.TrimRight(string(pw), "\r\n")})
	if err != nil {
		e := paraph.AsError(err)
		if e.Field != "" {
			return fmt.Errorf("%s: %s", e.Field, e.Message)
		}
		return errors.New(e.Message)
	}
	fmt.Fprintf(stdout, "account %s created for %s\n", a.ID, a.Login())
	return nil
}

func accountAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var login string
	var revoke bool
	c, err := parseConfig("account admin", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "email or phone of the account")
		fs.BoolVar(&revoke, "revoke", false, "take the rights away instead")
	})
	if err != nil {
		return err
	}
	svc, closeDB, err := openService(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	a, err := svc.SetInstanceAdmin(ctx, login, !revoke)
	if err != nil {
		return errors.New(paraph.AsError(err).Message)
	}
	if revoke {
		fmt.Fprintf(stdout, "%s is no longer the instance administrator\n", a.Login())
	} else {
		fmt.Fprintf(stdout, "%s is now the instance administrator\n", a.Login())
	}
	return nil
}
