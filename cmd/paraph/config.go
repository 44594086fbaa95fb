package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is everything the server reads at start, from flags and PARAPH_*
// variables (a flag wins over its variable). It is validated once, here.
type Config struct {
	Addr        string
	Data        string
	DatabaseURL string
	BaseURL     string
	Dev         bool
	SMTPURL     string
	SMTPFrom    string
	SMSURL      string
	SMSToken    string
	TrustProxy  bool
	TrustRoots  []string
	MaxDocMiB   int
	CheckCRL    bool
	Workers     int
	LogLevel    string
	LogFormat   string

	// The instance's PDF seal: generated under Data unless a certificate
	// and key file or a PKCS #11 key are given (seal.go).
	SealCert         string
	SealKey          string
	SealPKCS11Module string
	SealPKCS11Token  string
	SealPKCS11PIN    string // from the environment only: a flag would show in ps
	SealPKCS11Key    string
	TSAURL           string
}

// configFlags binds a flag set to a Config, with defaults from the environment.
func configFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Addr, "addr", env("PARAPH_ADDR", "127.0.0.1:8080"), "address to listen on (PARAPH_ADDR)")
	fs.StringVar(&c.Data, "data", env("PARAPH_DATA", "paraph-data"), "data directory: SQLite database, files, keys (PARAPH_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", env("PARAPH_DATABASE_URL", ""), "postgres://… URL; empty: SQLite in the data directory (PARAPH_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("PARAPH_BASE_URL", ""), "public URL for links in messages; default http://ADDR (PARAPH_BASE_URL)")
	fs.BoolVar(&c.Dev, "dev", envBool("PARAPH_DEV"), "development mode: keep every message in the dev mailbox at /dev/mailbox (PARAPH_DEV)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("PARAPH_SMTP_URL", ""), "smtp://user:pass@host:587 (STARTTLS) or smtps://…:465 (PARAPH_SMTP_URL)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("PARAPH_SMTP_FROM", ""), "sender address of emails (PARAPH_SMTP_FROM)")
	fs.StringVar(&c.SMSURL, "sms-url", env("PARAPH_SMS_URL", ""), "HTTP gateway that sends SMS (PARAPH_SMS_URL)")
	fs.StringVar(&c.SMSToken, "sms-token", env("PARAPH_SMS_TOKEN", ""), "bearer token for the SMS gateway (PARAPH_SMS_TOKEN)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool("PARAPH_TRUST_PROXY"), "take client IPs from X-Forwarded-For (PARAPH_TRUST_PROXY)")
	c.TrustRoots = splitList(os.Getenv("PARAPH_TRUST_ROOTS"))
	fromFlag := false
	fs.Func("trust-roots", "PEM/DER file or folder of trusted root certificates; repeat or separate with commas (PARAPH_TRUST_ROOTS)", func(v string) error {
		if !fromFlag { // the flag replaces the variable's list
			c.TrustRoots, fromFlag = nil, true
		}
		c.TrustRoots = append(c.TrustRoots, splitList(v)...)
		return nil
	})
	fs.BoolVar(&c.CheckCRL, "check-crl", envBool("PARAPH_CHECK_CRL"), "check certificates against their CRLs over HTTP (PARAPH_CHECK_CRL)")
	fs.IntVar(&c.MaxDocMiB, "max-document-size", envInt("PARAPH_MAX_DOCUMENT_SIZE", 100), "largest document upload, in MiB (PARAPH_MAX_DOCUMENT_SIZE)")
	fs.IntVar(&c.Workers, "workers", envInt("PARAPH_WORKERS", 4), "background job workers (PARAPH_WORKERS)")
	fs.StringVar(&c.LogLevel, "log-level", env("PARAPH_LOG_LEVEL", "info"), "debug, info, warn or error (PARAPH_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("PARAPH_LOG_FORMAT", "text"), "text or json (PARAPH_LOG_FORMAT)")
	fs.StringVar(&c.SealCert, "seal-cert", env("PARAPH_SEAL_CERT", ""), "PEM certificate chain of the PDF seal, seal certificate first; default: generated in the data directory (PARAPH_SEAL_CERT)")
	fs.StringVar(&c.SealKey, "seal-key", env("PARAPH_SEAL_KEY", ""), "PEM private key of the PDF seal (PARAPH_SEAL_KEY)")
	fs.StringVar(&c.SealPKCS11Module, "seal-pkcs11-module", env("PARAPH_SEAL_PKCS11_MODULE", ""), "PKCS #11 module holding the PDF seal's key; the PIN is read from PARAPH_SEAL_PKCS11_PIN (PARAPH_SEAL_PKCS11_MODULE)")
	fs.StringVar(&c.SealPKCS11Token, "seal-pkcs11-token", env("PARAPH_SEAL_PKCS11_TOKEN", ""), "label of the PKCS #11 token (PARAPH_SEAL_PKCS11_TOKEN)")
	fs.StringVar(&c.SealPKCS11Key, "seal-pkcs11-key", env("PARAPH_SEAL_PKCS11_KEY", ""), "label of the seal's key pair on the token, and of its certificate unless --seal-cert gives it (PARAPH_SEAL_PKCS11_KEY)")
	c.SealPKCS11PIN = os.Getenv("PARAPH_SEAL_PKCS11_PIN")
	fs.StringVar(&c.TSAURL, "tsa-url", env("PARAPH_TSA_URL", ""), "RFC 3161 timestamp authority for the PDF seal; empty: no timestamp (PARAPH_TSA_URL)")
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envBool(key string) bool {
	v, _ := strconv.ParseBool(os.Getenv(key))
	return v
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

// Validate checks the configuration and fills derived defaults; its errors
// name the flag and the variable so the fix is obvious.
func (c *Config) Validate() error {
	var errs []error
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		errs = append(errs, fmt.Errorf("--addr / PARAPH_ADDR %q: want host:port, e.g. 127.0.0.1:8080", c.Addr))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("--addr / PARAPH_ADDR %q: port must be a number from 0 to 65535", c.Addr))
	}
	if c.Data == "" {
		errs = append(errs, errors.New("--data / PARAPH_DATA: must not be empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("--database / PARAPH_DATABASE_URL: must be a postgres:// URL (leave it empty for SQLite)"))
	}
	if c.BaseURL == "" && err == nil {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--base-url / PARAPH_BASE_URL %q: want an absolute http:// or https:// URL", c.BaseURL))
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.MaxDocMiB < 1 || c.MaxDocMiB > 1<<20 {
		errs = append(errs, fmt.Errorf("--max-document-size / PARAPH_MAX_DOCUMENT_SIZE %d: must be from 1 to 1048576 MiB", c.MaxDocMiB))
	}
	if c.Workers < 1 || c.Workers > 256 {
		errs = append(errs, fmt.Errorf("--workers / PARAPH_WORKERS %d: must be from 1 to 256", c.Workers))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level / PARAPH_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format / PARAPH_LOG_FORMAT %q: want text or json", c.LogFormat))
	}
	errs = append(errs, c.validateSeal()...)
	return errors.Join(errs...)
}

// DatabaseDSN returns the PostgreSQL URL, or the SQLite file in the data dir.
func (c *Config) DatabaseDSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.Data, "paraph.db")
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
