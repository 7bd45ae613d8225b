"""Broadcast plans: stations, bookings, recurrence, iCal and podcast feeds, listener feedback."""
