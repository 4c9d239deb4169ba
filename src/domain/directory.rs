//! The service directory's records, as imported from Open Referral UK feeds and
//! written back to them. Local fields (capacity, accepting referrals, notes) are
//! not part of these: an import never touches them.

/// A service as read from a feed, cleaned.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub organisation: Option<Organisation>,
    pub description: Option<String>,
    pub status: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub schedule: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub eligibility: Option<String>,
    pub fees: Option<String>,
    pub categories: Vec<String>,
    pub assured_date: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub phone: Option<String>,
}
