package server

// HoldSlot takes an execution slot, as an executing operation does, and
// returns the function that gives it back.
func (s *Server) HoldSlot() func() {
	s.admission.slots <- struct{}{}
	return func() { <-s.admission.slots }
}

// HoldBudget takes n points of the in-flight cost budget, if it has them.
func (s *Server) HoldBudget(n int64) bool { return s.admission.budget.TryAcquire(n) }

// RecheckEvery is how stale a subscription's check of its credentials may
// be when it sends an event.
const RecheckEvery = recheckEvery
