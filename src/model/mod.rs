//! docs/model.md made code: pure functions and small types with no I/O and no global state.
//!
//! | file | docs/model.md section |
//! | --- | --- |
//! | [`time`] | §2: calendar years, indexation, discounting |
//! | [`calibration`] | §3: the implied steady state, for `contractsim check` |
//! | [`fit`] | docs/calibration.md: rates, durations and re-entry shares fitted to registration counts |
//! | [`demand`] | §3 and §11: the exact step scheme of a segment |
//! | [`phases`] | §3: durations in phases (`duration_shape`), the exact step per phase |
//! | [`contract`] | §4: pricing, re-pricing and payment of the four contract forms |
//! | [`prevention`] | §5: reach, effect, ramp-up and decay of a programme |
//! | [`investor`] | §9: investor-financed prevention (payments, luck, IRR) |
//! | [`provider`] | §8: risk corridors and provider reserves |

pub mod calibration;
pub mod contract;
pub mod demand;
pub mod fit;
pub mod investor;
pub mod phases;
pub mod prevention;
pub mod provider;
pub mod time;
