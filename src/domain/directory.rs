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
    /// The fields the record did not say anything about (a key or a CSV column
    /// absent), by their names in [`Service::FIELDS`]: an import keeps what is
    /// known of these. A field said empty (`""`, `null`, `[]`) is not here: it clears.
    pub unsaid: Vec<&'static str>,
}

impl Service {
    /// The fields a feed may leave unsaid (id and name are always said).
    pub const FIELDS: [&'static str; 15] = [
        "organisation",
        "description",
        "status",
        "url",
        "email",
        "phone",
        "location",
        "schedule",
        "min_age",
        "max_age",
        "eligibility",
        "fees",
        "categories",
        "assured_date",
        "last_modified",
    ];

    /// Whether the record said something (perhaps "nothing") about `field`.
    pub fn said(&self, field: &str) -> bool {
        !self.unsaid.contains(&field)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub phone: Option<String>,
    /// Fields not said, of "description", "email", "url", "phone".
    pub unsaid: Vec<&'static str>,
}

impl Organisation {
    pub fn said(&self, field: &str) -> bool {
        !self.unsaid.contains(&field)
    }
}
