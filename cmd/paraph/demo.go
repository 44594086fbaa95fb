package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"paraph/internal/core"
)

// withDemoDefaults gives the demo a fresh temporary data dir unless --data
// (or PARAPH_DATA) names one, so a demo never touches real data.
func withDemoDefaults(args []string) []string {
	for _, a := range args {
		if a == "--data" || a == "-data" || strings.HasPrefix(a, "--data=") || strings.HasPrefix(a, "-data=") {
			return args
		}
	}
	if os.Getenv("PARAPH_DATA") != "" {
		return args
	}
	dir, err := os.MkdirTemp("", "paraph-demo-")
	if err != nil {
		return args
	}
	return append([]string{"--data", dir}, args...)
}

type demoLogin struct {
	Login, Password, Name, Note string
}

// DemoPassword is the password of every demo account.
const DemoPassword = "demo-paraph-2026"

var demoPeople = []demoLogin{
	{Login: "director@demo.paraph.local", Name: "Иван Петрович Смирнов", Note: "director (ru)"},
	{Login: "accountant@demo.paraph.local", Name: "Олена Іванівна Коваленко", Note: "accountant (uk)"},
	{Login: "+79161234567", Name: "Мария Сергеевна Кузнецова", Note: "employee, phone login (ru)"},
	{Login: "client@demo.paraph.local", Name: "John Client", Note: "outside client (en)"},
}

// seedDemo creates the demo accounts; on a data dir that has them already it
// keeps them.
func seedDemo(ctx context.Context, svc *core.Service) ([]demoLogin, error) {
	langs := []string{"ru", "uk", "ru", "en"}
	var out []demoLogin
	for i, p := range demoPeople {
		_, err := svc.CreateActiveAccount(ctx, core.Registration{Login: p.Login, Password: DemoPassword, FullName: p.Name, Language: langs[i]})
		if err != nil && !strings.Contains(err.Error(), "already exists") {
			return nil, err
		}
		p.Password = DemoPassword
		out = append(out, p)
	}
	return out, nil
}

func printDemo(w io.Writer, c *Config, logins []demoLogin) {
	fmt.Fprintf(w, "\nParaph demo is running at %s\n", c.BaseURL)
	fmt.Fprintf(w, "Data: %s (delete it when done)\n", c.Data)
	fmt.Fprintf(w, "Dev mailbox (codes and links the server sends): %s/dev/mailbox\n\n", c.BaseURL)
	fmt.Fprintln(w, "Log in as (password for all: "+DemoPassword+"):")
	for _, l := range logins {
		fmt.Fprintf(w, "  %-32s %s — %s\n", l.Login, l.Name, l.Note)
	}
	fmt.Fprintln(w, "\nStop with Ctrl+C.")
}
