import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;

/** Checks an ontology file against the OWL 2 DL profile of the OWL API: one violation a line, exit 1 if any. */
public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        // Only the named file is read: no IRI is resolved, no import followed.
        manager.getIRIMappers().clear();
        OWLOntologyLoaderConfiguration config = manager.getOntologyLoaderConfiguration()
            .setFollowRedirects(false)
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.THROW_EXCEPTION);
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new FileDocumentSource(new File(args[0])), config);
        OWLProfileReport report = Profiles.OWL2_DL.checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) {
            System.out.println(violation.toString().replace('\n', ' '));
        }
        System.out.println(report.isInProfile() ? "IN PROFILE" : "NOT IN PROFILE");
        System.exit(report.isInProfile() ? 0 : 1);
    }
}
