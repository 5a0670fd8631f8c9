//! `/profil`: identity and the private calendar subscription link.

use leptos::prelude::*;

use super::SignedIn;
use crate::api::profile::{get_profile, RenewCalendarToken};
use crate::components::{ActionOutcome, CsrfField, ErrorBanner, Loading};

/// `/profil`.
#[component]
pub fn ProfilePage() -> impl IntoView {
    view! { <SignedIn><Profile/></SignedIn> }
}

#[component]
fn Profile() -> impl IntoView {
    let renew = ServerAction::<RenewCalendarToken>::new();
    let profile = Resource::new(move || renew.version().get(), |_| get_profile());
    view! {
        <h1>"Profil"</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! {
                        <dl class="facts">
                            <dt>"Nom"</dt><dd>{profile.name.clone()}</dd>
                            <dt>"E-mail"</dt><dd>{profile.email.clone()}</dd>
                        </dl>
                        <section class="card">
                            <h2>"Abonnement agenda"</h2>
                            <p>"Ajoutez ce lien privé dans Thunderbird, Outlook ou Google Agenda (« s'abonner à un agenda par URL ») : vos réunions s'y mettent à jour toutes seules. Ne le partagez pas."</p>
                            <ActionOutcome value=renew.value() success="Lien mis à jour."/>
                            {match profile.calendar_url.clone() {
                                Some(url) => view! {
                                    <p><label for="calendar-url">"Lien d'abonnement"</label>
                                    <input id="calendar-url" class="copyable" readonly=true value=url/></p>
                                    <div class="inline-forms">
                                        <ActionForm action=renew attr:class="inline-form">
                                            <CsrfField/>
                                            <button type="submit" class="button-small">"Générer un nouveau lien (l'ancien cesse de fonctionner)"</button>
                                        </ActionForm>
                                        <ActionForm action=renew attr:class="inline-form">
                                            <CsrfField/>
                                            <input type="hidden" name="revoke" value="true"/>
                                            <button type="submit" class="button-small button-danger">"Révoquer le lien"</button>
                                        </ActionForm>
                                    </div>
                                }.into_any(),
                                None => view! {
                                    <ActionForm action=renew attr:class="inline-form">
                                        <CsrfField/>
                                        <button type="submit" class="button-small">"Créer mon lien d'abonnement"</button>
                                    </ActionForm>
                                }.into_any(),
                            }}
                            <p><a href="/me/calendar.ics" download="concerto.ics">"Télécharger mon agenda (.ics)"</a></p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
