//! `/journal`: the audit log of the current organisation (coordinators): who read or changed
//! which case, when, from where. Read-only: the application offers no way to edit or delete it.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::SignedIn;
use crate::api::cases::audit_log;
use crate::components::{ErrorBanner, Loading};

/// `/journal`.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <SignedIn><Audit/></SignedIn> }
}

#[component]
fn Audit() -> impl IntoView {
    let query = use_query_map();
    let get = move |key: &'static str| move || query.read().get(key).unwrap_or_default();
    let (user, action, case) = (get("user"), get("action"), get("case"));
    let page = AsyncDerived::new(move || audit_log(user(), action(), case()));
    view! {
        <h1>"Journal des accès"</h1>
        <p>"Chaque lecture d'un cas et chaque modification y sont inscrites (qui, quand, quoi, depuis quelle adresse). Le journal ne peut être ni modifié ni effacé."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let (current_user, current_action, current_case) = (user(), action(), case());
                        view! {
                            <Form method="GET" action="/journal" attr:class="filters">
                                <label for="audit-user">"Personne"</label>
                                <select id="audit-user" name="user">
                                    <option value="">"Toutes"</option>
                                    {page.people.iter().map(|p| {
                                        let value = p.user_id.to_string();
                                        let selected = value == current_user;
                                        view! { <option value=value selected=selected>{p.label.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <label for="audit-action">"Action"</label>
                                <select id="audit-action" name="action">
                                    <option value="">"Toutes"</option>
                                    {page.actions.iter().map(|(code, label)| {
                                        let selected = *code == current_action;
                                        view! { <option value=code.clone() selected=selected>{label.clone()}</option> }
                                    }).collect_view()}
                                </select>
                                <label for="audit-case">"Cas"</label>
                                <input id="audit-case" name="case" value=current_case placeholder="C-2026-014"/>
                                <button type="submit" class="button-small">"Filtrer"</button>
                            </Form>
                            {if page.lines.is_empty() {
                                view! { <p class="empty">"Aucune entrée."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" role="region" aria-label="Journal des accès" tabindex="0">
                                        <table class="audit">
                                            <thead><tr>
                                                <th scope="col">"Quand"</th><th scope="col">"Qui"</th><th scope="col">"Action"</th>
                                                <th scope="col">"Cas"</th><th scope="col">"Adresse"</th><th scope="col">"Détail"</th>
                                            </tr></thead>
                                            <tbody>
                                                {page.lines.into_iter().map(|line| view! {
                                                    <tr class="audit-line">
                                                        <td>{line.when}</td><td>{line.who}</td><td>{line.action}</td>
                                                        <td>{line.case_code.zip(line.case_id).map(|(code, id)| view! { <a href=format!("/cas/{id}")>{code}</a> })}</td>
                                                        <td>{line.client_ip}</td><td>{line.detail}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
