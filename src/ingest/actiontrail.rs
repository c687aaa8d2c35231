//! ActionTrail events, each turned into the request RAM authorized and the principal that made
//! it.
