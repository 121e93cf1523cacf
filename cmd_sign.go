package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/communes/kiosk/allowlist"
	"github.com/communes/kiosk/remote"
)

// passwordFlags are the ways to give a secret key's password without a
// terminal prompt.
type passwordFlags struct {
	file  string
	stdin bool
}

func (p *passwordFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.file, "password-file", "", "read the secret key's password from the first line of `FILE`")
	fs.BoolVar(&p.stdin, "password-stdin", false, "read the secret key's password from the first line of standard input")
}

func (p *passwordFlags) read(stdin io.Reader) ([]byte, error) {
	var r io.Reader
	switch {
	case p.file != "" && p.stdin:
		return nil, errors.New("--password-file and --password-stdin are exclusive")
	case p.file != "":
		f, err := os.Open(p.file)
		if err != nil {
			return nil, fmt.Errorf("reading password: %w", err)
		}
		defer f.Close()
		r = f
	case p.stdin:
		r = stdin
	default:
		return nil, nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, errors.New("reading password: empty")
	}
	return []byte(line), nil
}

// signStdin is where --password-stdin reads; a variable for tests.
var signStdin io.Reader = os.Stdin

// keygenLimits are the scrypt limits of new encrypted keys (minisign's
// defaults: about 1 GiB and a few seconds); tests lower them.
var keygenLimits = remote.DefaultScryptLimits

// runAllowlistKeygen is `kiosk allowlist keygen`: it writes a minisign key
// pair for signing allowlists served by --allowlist-url.
func runAllowlistKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk allowlist keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pub := fs.String("p", "kiosk-allowlist.pub", "write the public key to `FILE` (give it to every terminal)")
	sec := fs.String("s", "kiosk-allowlist.key", "write the secret key to `FILE` (keep it off the terminals)")
	force := fs.Bool("f", false, "overwrite existing key files")
	var pw passwordFlags
	pw.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kiosk allowlist keygen [-p PUB] [-s KEY] [--password-file FILE | --password-stdin]")
		fmt.Fprintln(stderr, "Without a password the secret key is written unencrypted (like minisign -W).")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	password, err := pw.read(signStdin)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist keygen: %v\n", err)
		return 2
	}
	if !*force {
		for _, p := range []string{*pub, *sec} {
			if _, err := os.Stat(p); err == nil {
				fmt.Fprintf(stderr, "kiosk allowlist keygen: %s exists; keep it, or use -f to overwrite\n", p)
				return 1
			}
		}
	}
	k, err := remote.GenerateKey(rand.Reader)
	if err == nil {
		var data []byte
		data, err = k.MarshalSecretKey(password, keygenLimits, rand.Reader)
		if err == nil {
			err = os.WriteFile(*sec, data, 0o600)
		}
	}
	if err == nil {
		err = os.WriteFile(*pub, []byte(k.Public().String()), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist keygen: %v\n", err)
		return 1
	}
	if password == nil {
		fmt.Fprintf(stderr, "warning: %s is not encrypted; keep it on an encrypted, offline medium\n", *sec)
	}
	fmt.Fprintf(stdout, "key %s\npublic key: %s\nsecret key: %s\n\nOn each terminal, add to the service flags:\n  --allowlist-url https://…/allowlist.yaml --allowlist-pubkey %s\n",
		k.ID, *pub, *sec, strings.TrimSpace(strings.SplitN(k.Public().String(), "\n", 2)[1]))
	return 0
}

// signedComment returns the trusted comment of a signature of file: the
// default "timestamp:NOW\tfile:NAME\thashed" (minisign's), or comment with
// the fields the terminals require added in front when it lacks them
// (timestamp: refuses an older file, file: another file signed with the
// same key; docs/allowlist.md).
func signedComment(comment, file string, now time.Time) string {
	if comment == "" {
		return fmt.Sprintf("timestamp:%d\tfile:%s\thashed", now.Unix(), filepath.Base(file))
	}
	if !hasField(comment, "file:") {
		comment = fmt.Sprintf("file:%s\t%s", filepath.Base(file), comment)
	}
	if !hasField(comment, "timestamp:") {
		comment = fmt.Sprintf("timestamp:%d\t%s", now.Unix(), comment)
	}
	return comment
}

// hasField reports whether a tab-separated trusted comment has a field
// starting with prefix.
func hasField(comment, prefix string) bool {
	for _, f := range strings.Split(comment, "\t") {
		if strings.HasPrefix(f, prefix) {
			return true
		}
	}
	return false
}

// runAllowlistSign is `kiosk allowlist sign`: it checks an allowlist file
// and writes its minisign signature beside it (FILE.minisig).
func runAllowlistSign(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kiosk allowlist sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sec := fs.String("s", "kiosk-allowlist.key", "secret key `FILE` (from kiosk allowlist keygen or minisign -G)")
	out := fs.String("x", "", "write the signature to `FILE` (default: FILE.minisig)")
	comment := fs.String("t", "", "trusted `COMMENT` (default: timestamp:NOW, file name, hashed; a timestamp and the file name are added when missing)")
	var pw passwordFlags
	pw.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kiosk allowlist sign [-s KEY] [-x SIG] [-t COMMENT] [--password-file FILE | --password-stdin] FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	file := fs.Arg(0)
	if *out == "" {
		*out = file + ".minisig"
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist sign: %v\n", err)
		return 1
	}
	// Never sign a file the terminals would refuse.
	if _, err := allowlist.Parse(data, file); err != nil {
		fmt.Fprintf(stderr, "%v\nkiosk allowlist sign: %s is not valid; not signed\n", err, file)
		return 1
	}
	password, err := pw.read(signStdin)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist sign: %v\n", err)
		return 2
	}
	keyData, err := os.ReadFile(*sec)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist sign: %v\n", err)
		return 1
	}
	k, err := remote.ParseSecretKey(keyData, password)
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist sign: %s: %v\n", *sec, err)
		return 1
	}
	trusted := signedComment(*comment, file, time.Now())
	sig, err := k.Sign(data, "signature from kiosk allowlist sign", trusted)
	if err == nil {
		err = os.WriteFile(*out, sig, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiosk allowlist sign: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "signed %s with key %s: %s\npublish both files at the same URL (FILE and FILE.minisig)\n", file, k.ID, *out)
	return 0
}
