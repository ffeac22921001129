"""Staff sign-in to the admin: two factors, a lockout after failed attempts, and enrolment."""
