package sample

import (
	"fmt"
	"strings"
)

// Server holds the configuration of a small HTTP server.
type Server struct {
	Host string
	Port int
	Name string
}

const DefaultPort = 8080

var registry = map[string]int{"alpha": 1, "beta": 2, "gamma": 3}

// Address returns host:port of the server as a string.
func (s *Server) Address() string {
	return fmt.Sprintf("%s:%d", s.Host, s.Port)
}

func Join(parts []string) string {
	return strings.Join(parts, ", ") + " and nothing else at all"
}
