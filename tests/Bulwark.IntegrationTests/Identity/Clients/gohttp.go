// A Go net/http GET as most Go programs make it: a clone of http.DefaultTransport (so HTTP/2 is offered), certificate
// checks off for the test's self-signed certificate. Usage: gohttp URL [USER-AGENT]; prints "STATUS PROTO".
package main

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
)

func main() {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	request, err := http.NewRequest("GET", os.Args[1], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) > 2 {
		request.Header.Set("User-Agent", os.Args[2])
	}
	response, err := (&http.Client{Transport: transport}).Do(request)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer response.Body.Close()
	fmt.Println(response.StatusCode, response.Proto)
}
