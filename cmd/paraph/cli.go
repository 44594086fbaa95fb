package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"paraph"
	"paraph/client"
)

// credentials is what "paraph login" keeps for the other client commands.
type credentials struct {
	Server    string    `json:"server"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// credentialsPath is $PARAPH_CREDENTIALS, else the user's config dir.
func credentialsPath() (string, error) {
	if p := os.Getenv("PARAPH_CREDENTIALS"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config directory (set PARAPH_CREDENTIALS): %w", err)
	}
	return filepath.Join(dir, "paraph", "credentials.json"), nil
}

func saveCredentials(c credentials) (string, error) {
	path, err := credentialsPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	return path, os.WriteFile(path, b, 0o600) // the token is a secret
}

func loadCredentials() (*credentials, error) {
	path, err := credentialsPath()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, usageError{"not logged in: run paraph login --server URL --login LOGIN"}
	}
	if err != nil {
		return nil, err
	}
	var c credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is damaged; log in again: %w", path, err)
	}
	return &c, nil
}

// apiError makes a server error one readable line.
func apiError(err error) error {
	var e *paraph.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			return fmt.Errorf("%s: %s", e.Field, e.Message)
		}
		return errors.New(e.Message)
	}
	return err
}

// login: paraph login --server URL, then one of
//
//	--login L                   the password on standard input
//	--cert c.pem --key k.pem    a certificate and its key file
//	--p12 file.p12              a PKCS #12 file (password in PARAPH_P12_PASSWORD or on stdin)
//	--pkcs11-module M --pkcs11-token T --pkcs11-key-label K [--cert c.pem]
//	                            a key on a token (PIN in PARAPH_PKCS11_PIN or on stdin)
func cliLogin(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("paraph login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", env("PARAPH_SERVER", "http://127.0.0.1:8080"), "Paraph server URL (PARAPH_SERVER)")
	login := fs.String("login", "", "email or phone (the password is read from standard input)")
	var f certFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("paraph login: unexpected argument %q", fs.Arg(0))}
	}
	if err := f.validate(*login != ""); err != nil {
		return err
	}
	c, err := client.New(*server, "")
	if err != nil {
		return usageError{err.Error()}
	}
	var s *client.Session
	if *login != "" {
		s, err = passwordLogin(ctx, c, *login, stdin)
	} else {
		s, err = certificateLogin(ctx, c, f, stdin)
	}
	if err != nil {
		return err
	}
	path, err := saveCredentials(credentials{Server: *server, Token: s.Token, ExpiresAt: s.ExpiresAt})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "logged in to %s; token saved in %s (valid until %s)\n", *server, path, s.ExpiresAt.Format(time.DateOnly))
	return nil
}

func passwordLogin(ctx context.Context, c *client.Client, login string, stdin io.Reader) (*client.Session, error) {
	password, err := readLine(stdin)
	if err != nil {
		return nil, err
	}
	s, err := c.Login(ctx, login, password)
	if err != nil {
		return nil, apiError(err)
	}
	return s, nil
}

// readLine reads the first line of standard input (a password or a PIN).
func readLine(stdin io.Reader) (string, error) {
	if stdin == nil {
		return "", nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// whoami: the account and organizations behind the saved token.
func cliWhoami(ctx context.Context, stdout io.Writer) error {
	cr, err := loadCredentials()
	if err != nil {
		return err
	}
	c, err := client.New(cr.Server, cr.Token)
	if err != nil {
		return err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return apiError(err)
	}
	orgs, err := c.Organizations(ctx)
	if err != nil {
		return apiError(err)
	}
	fmt.Fprintf(stdout, "%s <%s> on %s\n", me.FullName, me.Login, cr.Server)
	for _, o := range orgs {
		fmt.Fprintf(stdout, "  %s  %s (%s)\n", o.ID, o.Name, o.Role)
	}
	return nil
}
