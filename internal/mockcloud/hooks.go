package mockcloud

// OnCall registers fn to run as each cloud call arrives, once it is recorded
// and authenticated and before faults and the handler see it: a test uses
// it to change the cloud at a chosen moment (move the clock at every read,
// end its context at the third, act on desktops as another client would).
// fn runs without the mock's lock, so it may call any method of Server; it
// gets a copy of the call as recorded so far. Hooks run in the order they
// were registered, for the life of the Server.
func (s *Server) OnCall(fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// runHooks runs the hooks for a call.
func (s *Server) runHooks(c *Call) {
	s.mu.Lock()
	hooks := s.hooks
	call := c.clone()
	s.mu.Unlock()
	for _, fn := range hooks {
		fn(call)
	}
}
