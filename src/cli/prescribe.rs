//! `linkwork prescribe` and `linkwork prescriptions`: social prescriptions
//! (referrals to a service), consent and hand-over states.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::common::{client_id, parse_consent, parse_prescription_state, today};
use crate::domain::referral::{Consent, PrescriptionState};
use crate::storage::{self, Store, prescriptions};

#[derive(Debug, clap::Args)]
pub struct PrescribeArgs {
    /// The client to prescribe for (their current, open episode): a client id or an NHS number
    #[arg(long, value_name = "ID|NHS_NUMBER", requires = "service", conflicts_with_all = ["set_state", "record_consent", "referral"])]
    client: Option<String>,
    /// Or the referral (the client's current, open episode) to prescribe in
    #[arg(long, value_name = "ID", requires = "service", conflicts_with_all = ["set_state", "record_consent"])]
    referral: Option<i64>,
    /// The service in the directory
    #[arg(long, value_name = "ID")]
    service: Option<i64>,
    /// How the person agreed to their details going to the service: verbal or written.
    /// Without it the prescription stays a draft and cannot be exported
    #[arg(long, value_parser = parse_consent)]
    consent: Option<Consent>,
    /// Include the NHS number in the referral sent to the service
    #[arg(long)]
    share_nhs_number: bool,
    /// A need it addresses (repeat for more) [default: the referral's reasons]
    #[arg(long = "need", value_name = "CODE")]
    needs: Vec<String>,
    /// What the person wants from the service (sent to it as "what matters")
    #[arg(long, value_name = "TEXT", default_value = "")]
    wants: String,
    /// A note for the record (not sent to the service)
    #[arg(long, value_name = "TEXT", default_value = "")]
    note: String,
    /// Record consent for a draft: --record-consent ID --consent verbal|written
    #[arg(long, value_name = "ID", requires = "consent", conflicts_with = "set_state")]
    record_consent: Option<i64>,
    /// Change a prescription's hand-over state: --set-state ID STATE
    #[arg(long, num_args = 2, value_names = ["ID", "STATE"])]
    set_state: Option<Vec<String>>,
    /// Why the service declined (needed with --set-state ID declined)
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

pub fn run(store: &mut Store, args: PrescribeArgs) -> Result<ExitCode> {
    use crate::domain::prescription::duty_of_care;
    let today = today();
    prescriptions::mark_no_response(store, today)?;
    if let Some(pair) = args.set_state {
        let id: i64 = pair[0].trim().parse().map_err(|_| anyhow::anyhow!("'{}' is not a prescription id", pair[0]))?;
        let to = PrescriptionState::parse(&pair[1].to_ascii_lowercase()).map_err(anyhow::Error::msg)?;
        let who = storage::client::of_prescription(store.conn(), id)?;
        let from = prescriptions::set_state(store, id, to, args.reason.as_deref())?;
        let service =
            prescriptions::get(store.conn(), id)?.map_or_else(|| "the service".to_owned(), |r| r.service_name);
        println!(
            "prescription {id} of {}: {} → {}. {}",
            who.describe(),
            from.code(),
            to.code(),
            duty_of_care(to, &service)
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(id) = args.record_consent {
        let consent = args.consent.context("--record-consent needs --consent verbal|written")?;
        let who = storage::client::of_prescription(store.conn(), id)?;
        prescriptions::record_consent(store, id, consent)?;
        println!("prescription {id} of {}: {consent} consent recorded; it can now be exported", who.describe());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(service_id) = args.service.filter(|_| args.client.is_some() || args.referral.is_some()) else {
        anyhow::bail!(
            "say what to do: --client ID|NHS_NUMBER (or --referral ID) --service ID, --record-consent ID or --set-state ID STATE"
        );
    };
    let who = storage::client::resolve_either(store.conn(), args.client.as_deref(), args.referral)?;
    let client_id = who.id;
    let new = prescriptions::NewPrescription {
        client_id,
        service_id,
        needs: args.needs.iter().map(|n| n.trim().to_ascii_lowercase()).collect(),
        wants: args.wants,
        note: args.note,
        consent: args.consent,
        share_nhs_number: args.share_nhs_number,
    };
    let created = prescriptions::create(store, &new)?;
    for w in &created.warnings {
        eprintln!("linkwork: warning: {w}");
    }
    eprintln!("linkwork: prescription {} created for {}", created.id, who.describe());
    if args.consent.is_none() {
        eprintln!(
            "linkwork: prescription {} is a draft: record the person's consent before it can be exported \
             (linkwork prescribe --record-consent {} --consent verbal|written)",
            created.id, created.id
        );
    }
    println!("{}", created.id);
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this client's: a client id or an NHS number
    #[arg(long, value_name = "ID|NHS_NUMBER")]
    client: Option<String>,
    /// draft, sent, acknowledged, accepted, declined, started, completed, dropped_out, no_response
    #[arg(long, value_parser = parse_prescription_state)]
    state: Option<PrescriptionState>,
    #[arg(long)]
    json: bool,
}

/// `linkwork prescriptions`: the list, newest first.
pub fn list(store: &mut Store, args: ListArgs) -> Result<ExitCode> {
    let ListArgs { client, state, json } = args;
    prescriptions::mark_no_response(store, today())?;
    let client = client_id(store, client.as_deref())?;
    let rows = prescriptions::list(store.conn(), client, state)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "{:>12} {:>6}  {:<24} {:<30} {:<12} {:<8} since",
            "prescription", "client", "name", "service", "state", "consent"
        );
        for r in &rows {
            println!(
                "{:>12} {:>6}  {} {} {:<12} {:<8} {}",
                r.id,
                r.client_id,
                crate::ui::text::fit(&r.client_name, 24),
                crate::ui::text::fit(&r.service_name, 30),
                r.state,
                r.consent.as_deref().unwrap_or("none"),
                &r.state_at[..10.min(r.state_at.len())]
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
