//! MODEL.md made code: pure functions and small types with no I/O and no global state.
//!
//! | file | MODEL.md section |
//! | --- | --- |
//! | [`time`] | 4: calendar years, indexation, discounting |
//! | [`calibration`] | 5: the implied steady state, for `contractsim check` |
//! | [`demand`] | 5: the exact step scheme of a segment |
//! | [`contract`] | 6: pricing, re-pricing and payment of the four contract forms |
//! | [`prevention`] | 7: reach, effect, ramp-up and decay of a programme |
//! | [`investor`] | 7: investor-financed prevention (payments, luck, IRR) |
//! | [`provider`] | 8: risk corridors and provider reserves |

pub mod calibration;
pub mod contract;
pub mod demand;
pub mod investor;
pub mod prevention;
pub mod provider;
pub mod time;
